# A small FastAPI application for apitrail's tests: FastAPI generates its
# OpenAPI document (/openapi.json) and its Swagger UI page (/docs), and every
# path, those two included, wants HTTP Basic credentials.
import base64
import os
import random
import secrets
from datetime import datetime, timezone
from email.utils import format_datetime
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


# Answers that change with the clock, for replay's noise tests: the times a
# keeper noted, under names no list of time-like names holds, in the forms
# servers write them (ISO 8601, epoch seconds and milliseconds, RFC 1123).
@app.get("/visits/{pet_id}", operation_id="getVisit", tags=["visits"])
def get_visit(pet_id: int):
    now = datetime.now(timezone.utc)
    return {"id": pet_id, "pet": PETS[(pet_id - 1) % len(PETS)].name, "room": "A1", "keeper": "sam", "notes": "calm",
            "admitted": now.isoformat(), "fed": int(now.timestamp()), "weighed": int(now.timestamp() * 1000),
            "checked": format_datetime(now, usegmt=True)}


# An answer every value of which is made up on each call, as a mock server
# driven by a schema gives: nothing in it can be compared.
@app.get("/census", operation_id="getCensus", tags=["visits"])
def get_census():
    return {"count": random.randint(1, 10**9), "token": secrets.token_hex(8), "ward": "W" + str(random.randint(1, 10**9)),
            "score": random.random(), "code": secrets.token_urlsafe(6)}
