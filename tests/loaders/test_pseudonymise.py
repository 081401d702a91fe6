import os
import stat

import pytest

from loaders.pseudonymise import Pseudonymiser, load_or_create_key


def test_key_is_created_owner_only_and_reused(tmp_path):
    path = tmp_path / "keys" / "pseudonym.key"
    key = load_or_create_key(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create_key(path) == key


def test_codes_are_stable_keyed_and_normalised(tmp_path):
    a = Pseudonymiser(b"k" * 32)
    b = Pseudonymiser(b"j" * 32)
    assert a.code("CS-1", "YP") == a.code(" cs-1 ", "YP")
    assert a.code("CS-1", "YP") != b.code("CS-1", "YP")
    assert a.code("CS-1", "YP") != a.code("CS-2", "YP")
    code = a.code("CS-1", "YP")
    assert code.startswith("YP-") and len(code) == 15 and "CS" not in code[3:]


def test_short_key_refused(tmp_path):
    with pytest.raises(ValueError):
        Pseudonymiser(b"short")
    (tmp_path / "k").write_bytes(b"abc")
    with pytest.raises(ValueError):
        load_or_create_key(tmp_path / "k")


def test_repr_hides_key():
    assert "kkkk" not in repr(Pseudonymiser(b"k" * 32))
