"""All settings in one place: environment variables with the prefix ``OTKLIK_``.

Every field here must appear in the README's configuration table (a test checks it).
"""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from otklik.errors import ConfigError

# Values people paste from tutorials; refused as secret keys outside dev mode.
_UNSAFE_SECRETS = {"", "changeme", "change-me", "secret", "dev", "development", "otklik", "test"}
_MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """Runtime configuration. Read once at start-up; pass it around, never re-read globals."""

    model_config = SettingsConfigDict(env_prefix="OTKLIK_", extra="ignore")

    env: Literal["dev", "test", "prod"] = Field(
        "dev", description="dev, test or prod; prod refuses unsafe settings."
    )
    data_dir: Path = Field(
        Path("./otklik-data"),
        description="Directory for the SQLite database, the generated secret key and job storage.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the system of record; default: SQLite file in the data dir. "
        "PostgreSQL: postgresql+psycopg://user@host/db",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Signs sessions and tokens. Generated and stored in the data dir when absent.",
    )
    redis_url: str | None = Field(
        None, description="Optional Redis URL for jobs and rate limits shared by several processes."
    )
    base_url: str = Field(
        "http://127.0.0.1:8000", description="Public URL, used in links sent to customers."
    )
    smtp_host: str = Field("localhost", description="SMTP server for outgoing mail.")
    smtp_port: int = Field(25, description="SMTP port.")
    smtp_user: str | None = Field(None, description="SMTP login, if the server needs one.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")
    mail_from: str = Field("otklik@localhost", description="From address of outgoing mail.")
    reminder_days: int = Field(
        3,
        ge=0,
        le=60,
        description="Days after an unanswered email invitation to send its one reminder; 0 = none.",
    )
    secure_cookies: bool = Field(
        False, description="Mark session cookies Secure (set true behind HTTPS)."
    )
    login_attempts_per_minute: int = Field(
        10, description="Failed logins allowed per minute per email and per client address."
    )
    min_n: int = Field(
        30,
        description="Below this many answers a metric shows 'not enough data' instead of a value.",
    )
    redact_pii_on_ingest: bool = Field(
        True,
        description="Replace e-mails, phones, cards, IDs and non-employee names in comments with "
        "[TYPE] before they are stored (the raw text is never kept).",
    )

    @cached_property
    def sqlalchemy_url(self) -> str:
        """The database URL in use: the configured one, or SQLite in the data dir."""
        if self.database_url:
            url = self.database_url
            # Accept the libpq-style URL people copy from their hosting panel.
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{(self.data_dir / 'otklik.db').resolve()}"

    def resolved_secret_key(self) -> str:
        """The signing key; generate and store one in the data dir on first run.

        Outside dev mode a short or well-known key is refused, because anyone
        who knows it can forge a session.
        """
        if self.secret_key is not None:
            key = self.secret_key.get_secret_value()
            if self.env != "dev" and (
                key.strip().lower() in _UNSAFE_SECRETS or len(key) < _MIN_SECRET_LENGTH
            ):
                raise ConfigError(
                    "OTKLIK_SECRET_KEY is unsafe: use at least 32 random characters "
                    "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
                )
            return key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race; use its key
            return path.read_text().strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


def get_settings() -> Settings:
    """Settings from the environment (a fresh read; callers keep the object)."""
    return Settings()
