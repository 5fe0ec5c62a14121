"""Where a study may live: init says whether the study is on an encrypted volume."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from fgdprep.cli import cli
from fgdprep.volume import _dm_crypt, _mount_of, describe, volume_of


def test_init_says_what_it_sees_and_logs_it(tmp_path: Path) -> None:
    root = tmp_path / "study"
    volume = volume_of(tmp_path)
    result = CliRunner().invoke(cli, ["init", str(root)])
    assert result.exit_code == 0
    assert result.output.splitlines()[1] == describe(volume)
    entry = json.loads((root / "logs" / "audit.jsonl").read_text().splitlines()[0])
    assert entry["counts"]["encrypted_volume"] is volume.encrypted
    if not volume.encrypted:  # this test machine: a plain or overlay file system
        assert describe(volume).startswith("Warning: the study is not on a volume fgdprep can")


def test_the_mount_of_a_path_is_the_longest_mount_point() -> None:
    found = _mount_of(Path("/proc/self"))
    assert found is not None and found[1] == "proc"


def test_dm_crypt_is_found_below_lvm(tmp_path: Path) -> None:
    """A sysfs-shaped tree: an LVM volume (dm-1) on a LUKS mapping (dm-0) on a disk."""
    crypt, lvm, disk = tmp_path / "dm-0", tmp_path / "dm-1", tmp_path / "sda2"
    for dev, uuid in ((crypt, "CRYPT-LUKS2-abc-luks"), (lvm, "LVM-xyz")):
        (dev / "dm").mkdir(parents=True)
        (dev / "dm" / "uuid").write_text(uuid + "\n")
        (dev / "slaves").mkdir()
    disk.mkdir()
    (lvm / "slaves" / "dm-0").symlink_to(crypt)
    (crypt / "slaves" / "sda2").symlink_to(disk)
    assert _dm_crypt(lvm) and _dm_crypt(crypt)
    assert not _dm_crypt(disk)
