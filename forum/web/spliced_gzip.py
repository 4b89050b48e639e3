"""A gzip body compressed once and completed per request with a few short values.

The page is cut where its per-request values go (the CSRF token, the form's nonce and time).
Each constant segment is deflated once and ended with a full flush, so no later block refers
back across a cut and each segment ends on a byte boundary; a request's values go in between
as stored (uncompressed) deflate blocks. The gzip trailer needs the CRC-32 of the whole text:
CRC-32 is affine in its starting value, so for each segment we keep the linear map that
carries a CRC across it (four 256-entry tables) and a request pays for its values only, not
for the 100 KB around them. The map depends only on the segment's length: multiplying by
``x^(8n)`` modulo the polynomial, as zlib's ``crc32_combine`` does (running the CRC over the
segment once per bit instead took 2.6 ms for a 160 KB page's three segments, against 0.8).
"""

from __future__ import annotations

import struct
import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

LEVEL = 6
"""zlib level: what Litestar's compression uses (the segments are compressed once)."""
QUICK_LEVEL = 1
"""For a body answered only a few times: a third of the time of ``LEVEL``, a quarter more
bytes (a reader's page of 100 comments: 1.0 against 3.0 ms, 11.7 % against 9.2 % of it)."""
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
"""gzip member header: deflate, no name, no time, unknown OS."""
STORED_MAX = 0xFFFF


def _stored_block(value: bytes) -> bytes:
    """A non-final stored deflate block holding ``value`` (byte-aligned, as after a flush)."""
    size = len(value)
    return b"\x00" + struct.pack("<HH", size, size ^ 0xFFFF) + value


POLY = 0xEDB88320
"""CRC-32's polynomial, bits reflected (as zlib reads them)."""


def _times(a: int, b: int) -> int:
    """``a·b`` modulo the polynomial, on reflected bits (zlib's ``multmodp``)."""
    product = 0
    for bit in range(31, -1, -1):
        if a >> bit & 1:
            product ^= b
        b = (b >> 1) ^ POLY if b & 1 else b >> 1
    return product


_X_TO_2K = [1 << 30]
"""``x^(2^k)`` modulo the polynomial, for k = 0…31 (``x`` is bit 30 when reflected)."""
for _ in range(31):
    _X_TO_2K.append(_times(_X_TO_2K[-1], _X_TO_2K[-1]))


def _x_to_8n(n: int) -> int:
    """``x^(8n)`` modulo the polynomial: a CRC carried across ``n`` bytes is multiplied by it
    (zlib's ``x2nmodp(n, 3)``; the running CRC is then ``crc32(segment)`` added to it)."""
    power, k = 1 << 31, 3
    while n:
        if n & 1:
            power = _times(_X_TO_2K[k & 31], power)
        n >>= 1
        k += 1
    return power


@dataclass(frozen=True)
class CrcShift:
    """Carries a running CRC-32 across one constant segment without reading it again."""

    table: array[int]
    """Four 256-entry tables, one per byte of the CRC: the map's image of each byte value."""
    zero: int
    """crc32(segment, 0)."""

    @classmethod
    def over(cls, segment: bytes) -> CrcShift:
        shift = _x_to_8n(len(segment))
        basis = [_times(shift, 1 << bit) for bit in range(32)]
        table = array("I")
        for byte in range(4):  # a byte value's image: the XOR of its set bits' images
            images = [0]
            for image in basis[8 * byte : 8 * byte + 8]:
                images += [known ^ image for known in images]
            table.extend(images)
        return cls(table, zlib.crc32(segment))

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
    def of(cls, segments: Sequence[bytes], level: int = LEVEL) -> SplicedGzip:
        """Compress the constant ``segments`` (one more than there are values)."""
        compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
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
