"""A gzip body compressed once and completed per request with a few short values.

The page is cut where its per-request values go (the CSRF token, the form's nonce and time).
Each constant segment is deflated once and ended with a full flush, so no later block refers
back across a cut and each segment ends on a byte boundary; a request's values go in between
as stored (uncompressed) deflate blocks. The gzip trailer needs the CRC-32 of the whole text:
CRC-32 is affine in its starting value, so for each segment we keep the linear map that
carries a CRC across it (four 256-entry tables) and a request pays for its values only, not
for the 100 KB around them.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

LEVEL = 6
"""zlib level: what Litestar's compression uses (the segments are compressed once)."""
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
"""gzip member header: deflate, no name, no time, unknown OS."""
STORED_MAX = 0xFFFF


def _stored_block(value: bytes) -> bytes:
    """A non-final stored deflate block holding ``value`` (byte-aligned, as after a flush)."""
    size = len(value)
    return b"\x00" + struct.pack("<HH", size, size ^ 0xFFFF) + value


@dataclass(frozen=True)
class CrcShift:
    """Carries a running CRC-32 across one constant segment without reading it again."""

    table: array[int]
    """Four 256-entry tables, one per byte of the CRC: the map's image of each byte value."""
    zero: int
    """crc32(segment, 0)."""

    @classmethod
    def over(cls, segment: bytes) -> CrcShift:
        zero = zlib.crc32(segment, 0)
        basis = [zlib.crc32(segment, 1 << bit) ^ zero for bit in range(32)]
        table = array("I", bytes(4 * 1024))
        for byte in range(4):
            base = 256 * byte
            for value in range(1, 256):
                low = value & -value
                table[base + value] = (
                    table[base + (value ^ low)] ^ basis[8 * byte + low.bit_length() - 1]
                )
        return cls(table, zero)

    def __call__(self, crc: int) -> int:
        """``crc32(segment, crc)``."""
        t = self.table
        mapped = t[crc & 255] ^ t[256 + ((crc >> 8) & 255)] ^ t[512 + ((crc >> 16) & 255)]
        return mapped ^ t[768 + (crc >> 24)] ^ self.zero


@dataclass(frozen=True)
class SplicedGzip:
    """``segments[0] + values[0] + segments[1] + ...`` as one gzip member, built per request."""

    head: bytes
    first_crc: int
    static_size: int
    rest: tuple[tuple[bytes, CrcShift], ...]
    tail: bytes

    @classmethod
    def of(cls, segments: Sequence[bytes]) -> SplicedGzip:
        """Compress the constant ``segments`` (one more than there are values)."""
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        deflated = [compressor.compress(s) + compressor.flush(zlib.Z_FULL_FLUSH) for s in segments]
        return cls(
            head=HEADER + deflated[0],
            first_crc=zlib.crc32(segments[0]),
            static_size=sum(len(s) for s in segments),
            rest=tuple(
                (block, CrcShift.over(segment))
                for block, segment in zip(deflated[1:], segments[1:], strict=True)
            ),
            tail=compressor.flush(zlib.Z_FINISH),
        )

    @property
    def size(self) -> int:
        return len(self.head) + sum(len(block) for block, _ in self.rest) + 4096 * len(self.rest)

    def body(self, values: Sequence[bytes]) -> bytes:
        """The gzip body with ``values`` in the cuts (each under 64 KiB)."""
        parts = [self.head]
        crc = self.first_crc
        size = self.static_size
        for value, (block, shift) in zip(values, self.rest, strict=True):
            parts.append(_stored_block(value))
            parts.append(block)
            crc = shift(zlib.crc32(value, crc))
            size += len(value)
        parts.append(self.tail)
        parts.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(parts)
