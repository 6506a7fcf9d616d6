"""Decoding the protocol buffer wire format, enough for the NAS-Bench-101 metrics.

Each field is a varint key ``field_number << 3 | wire_type`` followed by its
value: wire type 0 a varint, 1 eight little-endian bytes, 2 a varint length and
that many bytes, 5 four little-endian bytes. Wire types 3 and 4 (groups) are
deprecated and not used by NAS-Bench-101.
"""

from __future__ import annotations

import struct

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5

Field = tuple[int, int, int | bytes]
"""``(field_number, wire_type, value)``: an int for varints, raw bytes otherwise."""


class WireFormatError(ValueError):
    """The bytes are not a valid protocol buffer message."""


def read_varint(data: bytes, position: int) -> tuple[int, int]:
    """Read a base-128 varint at ``position``; return its value and the next position."""
    value, shift = 0, 0
    while True:
        if position >= len(data):
            raise WireFormatError("message ends inside a varint")
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7
        if shift > 63:
            raise WireFormatError("varint longer than 10 bytes")


def decode_fields(data: bytes) -> list[Field]:
    """Split a message into its fields, in the order they appear.

    Raises:
        WireFormatError: The bytes end early or use an unsupported wire type.
    """
    fields: list[Field] = []
    position = 0
    while position < len(data):
        key, position = read_varint(data, position)
        number, wire_type = key >> 3, key & 0x7
        if wire_type == VARINT:
            value, position = read_varint(data, position)
            fields.append((number, wire_type, value))
            continue
        if wire_type == FIXED64:
            size = 8
        elif wire_type == FIXED32:
            size = 4
        elif wire_type == LENGTH_DELIMITED:
            size, position = read_varint(data, position)
        else:
            raise WireFormatError(f"field {number} has unsupported wire type {wire_type}")
        if position + size > len(data):
            raise WireFormatError(f"message ends inside field {number}")
        fields.append((number, wire_type, data[position : position + size]))
        position += size
    return fields


def as_double(value: int | bytes) -> float:
    """Interpret a fixed64 field as an IEEE 754 double."""
    if not isinstance(value, bytes) or len(value) != 8:
        raise WireFormatError("expected an 8-byte double")
    return struct.unpack("<d", value)[0]


def as_int32(value: int | bytes) -> int:
    """Interpret a varint field as a signed 32-bit integer (negative values use 10 bytes)."""
    if not isinstance(value, int):
        raise WireFormatError("expected a varint")
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value
