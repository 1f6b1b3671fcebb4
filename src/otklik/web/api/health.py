"""Liveness/readiness probe for load balancers and orchestrators."""

from fastapi import APIRouter
from sqlalchemy import text

from otklik import __version__
from otklik.web.deps import SessionDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Health check: the app is up and the database answers")
def healthz(db: SessionDep) -> dict[str, str]:
    db.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}
