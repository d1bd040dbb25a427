"""Verification codes: random, typeable from paper, found again in the PDF's bytes."""

from __future__ import annotations

from audit.issued import (
    ALPHABET,
    CODE_LENGTH,
    code_in_pdf,
    display_code,
    new_code,
    normalize_code,
)


def test_codes_are_random_in_crockfords_alphabet() -> None:
    codes = {new_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes)
    assert not set("ILOU") & set(ALPHABET)


def test_a_code_as_printed_and_as_typed_by_a_reader() -> None:
    assert display_code("7KQ2M9XD4HTP") == "7KQ2-M9XD-4HTP"
    assert normalize_code("7kq2-m9xd-4htp") == "7KQ2M9XD4HTP"
    assert normalize_code(" 7KQ2 M9XD 4HTP ") == "7KQ2M9XD4HTP"
    assert normalize_code("0OIl" + "2" * 8) == "0011" + "2" * 8  # look-alikes read as meant
    assert normalize_code("7KQ2-M9XD") is None
    assert normalize_code("7KQ2-M9XD-4HTU") is None  # U is not in the alphabet
    assert normalize_code("７KQ2M9XD4HTP") is None  # a full-width digit
    assert normalize_code("\x00" * 12) is None


def test_the_code_is_read_from_the_pdf_file_identifier_even_with_other_bytes_changed() -> None:
    tail = b"<</Type /XRef/ID [(doudi:ABCDEFGHJKMN) (0123abcd)]/Size 3>>\nstartxref\n9\n%%EOF\n"
    assert code_in_pdf(b"%PDF-1.7\n" + b"\x00garbage" * 100 + tail) == "ABCDEFGHJKMN"
    assert code_in_pdf(b"%PDF-1.7\n/ID [(something else) (x)]") is None
    assert code_in_pdf(b"") is None
