"""Who is acting: the authenticated principal every service function receives."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int
    email: str
    is_admin: bool = False

    @classmethod
    def system(cls) -> Actor:
        """The CLI acting with full rights on the local database."""
        return cls(user_id=0, email="system", is_admin=True)
