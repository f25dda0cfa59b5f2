"""Pseudonymisation of person-level ids (call references, Specials' HR numbers) at load.

An id is replaced by HMAC-SHA256(key, id) in hex: the same id always gives the same pseudonym (so
a Special can be followed from month to month) but it cannot be reversed or re-computed without
the key. The key comes from the environment variable ``PCP_PSEUDONYM_KEY``; when it is unset a
fixed development key is used, with a warning, for SAMPLE data only, so sample data loads on a fresh
clone. Non-sample data is refused without a key (``key(sample=False)`` raises PseudonymKeyError):
with the public key anyone holding a candidate list of ids could reverse the pseudonyms.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import warnings

from warehouse.core.errors import PipelineError

ENV_VAR = "PCP_PSEUDONYM_KEY"
# Public, in the repository: fine for SAMPLE data only, never for a force's real files.
DEVELOPMENT_KEY = "pcp-DEVELOPMENT-ONLY-pseudonym-key-not-for-real-data"


_warned = False


class PseudonymKeyError(PipelineError):
    """Real person-level ids, and no secret key to pseudonymise them with."""


def key(sample: bool = True, what: str = "") -> bytes:
    """The HMAC key. ``sample``: the ids are generated SAMPLE ids (the public development key is then
    acceptable when ``PCP_PSEUDONYM_KEY`` is unset); for real ids an unset key raises PseudonymKeyError."""
    global _warned
    value = os.environ.get(ENV_VAR)
    if not value and not sample:
        raise PseudonymKeyError(
            f"{ENV_VAR} is not set: refusing to pseudonymise the person-level ids of {what or 'non-sample data'} with "
            f"the public development key (they could be reversed). Set {ENV_VAR} to a secret kept outside the "
            f"repository and run again; nothing was loaded"
        )
    if not value:
        if not _warned:  # once per process, not once per file
            _warned = True
            warnings.warn(
                f"{ENV_VAR} is not set: pseudonymising with the public DEVELOPMENT key "
                f"(acceptable for sample data only)",
                stacklevel=2,
            )
        value = DEVELOPMENT_KEY
    return value.encode("utf-8")


def pseudonym(value: str | None, secret: bytes | None = None) -> str | None:
    """The pseudonym of one id (None stays None)."""
    if value is None:
        return None
    return hmac.new(secret or key(), value.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonyms(values: list[str | None], secret: bytes | None = None) -> list[str | None]:
    secret = secret or key()
    return [None if v is None else hmac.new(secret, v.encode("utf-8"), hashlib.sha256).hexdigest() for v in values]
