"""Bounds on a landed file, checked before DuckDB reads it, in one streamed pass (bounded memory
whatever the file's size): its size, and for line-based text readers its longest line, NUL bytes
(binary or UTF-16 content) and, for ``.gz``, its size once decompressed. Limits: ``input:`` in
warehouse/core/reliability.yml, a contract's own ``max_file_bytes`` / ``max_line_bytes``, or
``PCP_MAX_FILE_BYTES`` / ``PCP_MAX_LINE_BYTES``. A refusal is a ContractError with the true reason."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from warehouse.core.contracts import Contract
from warehouse.core.errors import ContractError
from warehouse.core.limits import input_limit

LINE_READERS = {"csv", "pseudonymised_csv", "published_csv"}  # one record per line of UTF-8 text


def check(path: Path, contract: Contract) -> None:
    """Raise ContractError if ``path`` is past a bound; read at most ``max_file_bytes`` (+1 MiB)."""
    max_bytes = int(input_limit("max_file_bytes", contract.meta))
    size = path.stat().st_size
    if size > max_bytes:
        raise ContractError(
            f"{path.name}: the file is {size:,} bytes, above the limit of {max_bytes:,} bytes for "
            f"{contract.table} (input.max_file_bytes); nothing was read. Split it, or raise the "
            f"contract's max_file_bytes if it is genuine"
        )
    if contract.meta.get("reader", "csv") not in LINE_READERS:
        return
    max_line = int(input_limit("max_line_bytes", contract.meta))
    chunk = max(1, min(max_line, 1 << 20))  # a line longer than max_line must cross a chunk boundary
    line, carry, total = 1, 0, 0
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            first = True
            while block := fh.read(chunk):
                if first and block[:2] in (b"\xff\xfe", b"\xfe\xff"):
                    raise ContractError(
                        f"{path.name}: the file is UTF-16 text (byte-order mark "
                        f"0x{block[0]:02x}{block[1]:02x}); expected UTF-8: re-save it as UTF-8 (CSV UTF-8)"
                    )
                first = False
                nul = block.find(b"\0")
                if nul >= 0:
                    at_line = line + block.count(b"\n", 0, nul)
                    raise ContractError(
                        f"{path.name}: line {at_line}: a NUL byte at offset "
                        f"{total + nul:,}: binary content, not text; expected a UTF-8 CSV for "
                        f"{contract.table}"
                    )
                nl = block.find(b"\n")
                run = carry + (nl if nl >= 0 else len(block))
                if run > max_line:
                    raise ContractError(
                        f"{path.name}: line {line} is longer than {max_line:,} bytes (at least "
                        f"{run:,}), above the limit for {contract.table} (input.max_line_bytes); "
                        f"expected one record per line. Nothing was loaded"
                    )
                if nl >= 0:
                    line += block.count(b"\n")
                    carry = len(block) - block.rfind(b"\n") - 1
                else:
                    carry = run
                total += len(block)
                if total > max_bytes:
                    raise ContractError(
                        f"{path.name}: more than {max_bytes:,} bytes once decompressed, above the "
                        f"limit for {contract.table} (input.max_file_bytes); nothing was read"
                    )
    except (EOFError, OSError, zlib.error):
        return  # a damaged .gz: the reader's own check names it
