# A small FastAPI application for apitrail's tests: FastAPI generates its
# OpenAPI document (/openapi.json) and its Swagger UI page (/docs), and every
# path, those two included, wants HTTP Basic credentials.
import base64
import os
import secrets
from typing import List, Optional

from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel

USER = os.environ["SHELTER_USER"]
PASSWORD = os.environ["SHELTER_PASSWORD"]

app = FastAPI(title="Shelter", version="1.0.0")


@app.middleware("http")
async def basic_auth(request, call_next):
    kind, _, cred = request.headers.get("authorization", "").partition(" ")
    try:
        user, _, password = base64.b64decode(cred).decode().partition(":")
    except Exception:
        user, password = "", ""
    if kind.lower() != "basic" or not (secrets.compare_digest(user, USER) and secrets.compare_digest(password, PASSWORD)):
        return JSONResponse({"detail": "Not authenticated"}, status_code=401, headers={"WWW-Authenticate": 'Basic realm="shelter"'})
    return await call_next(request)


class Pet(BaseModel):
    id: int
    name: str
    kind: str


PETS = [Pet(id=1, name="Rex", kind="dog"), Pet(id=2, name="Tom", kind="cat"), Pet(id=3, name="Bella", kind="dog")]


@app.get("/pets", response_model=List[Pet], operation_id="listPets", tags=["pets"])
def list_pets(kind: Optional[str] = None):
    return [p for p in PETS if kind is None or p.kind == kind]


@app.get("/pets/{pet_id}", response_model=Pet, operation_id="getPet", tags=["pets"])
def get_pet(pet_id: int):
    for p in PETS:
        if p.id == pet_id:
            return p
    raise HTTPException(status_code=404, detail="no such pet")
