"""Is the study folder on an encrypted volume?

The identifiable area (recordings, transcripts, rosters, clips) is stored in clear: the
encrypted codebook alone does not protect it, since transcripts keep the span offsets and
rosters the names. fgdprep's answer is that a study must live on an encrypted volume
(LUKS/dm-crypt, an encrypted stacked file system, FileVault, BitLocker), and ``init`` checks
what it can see and says so; see the README ("Where a study may live").

What is recognised: on Linux, a mount whose block device is a dm-crypt mapping (directly, or
below LVM or RAID: its ``slaves`` are followed) or a stacked encrypted file system (eCryptfs,
gocryptfs, EncFS, CryFS, securefs); on macOS, FileVault on the system volume. Anything else
is "not detected": a cloud disk encrypted by its provider or a fscrypt folder is not seen.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ENCRYPTED_FS = frozenset(
    {"ecryptfs", "fuse.gocryptfs", "fuse.encfs", "fuse.cryfs", "fuse.securefs"}
)


@dataclass(frozen=True)
class Volume:
    encrypted: bool
    how: str  # "dm-crypt", "ecryptfs", "FileVault", or what was found instead ("ext4", "overlay")


def _mount_of(path: Path) -> tuple[str, str] | None:
    """(major:minor, file system type) of the mount that holds ``path``, from mountinfo."""
    try:
        lines = Path("/proc/self/mountinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    target = str(path)
    best: tuple[int, str, str] | None = None
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, rest = left.split(), right.split()
        if len(fields) < 5 or not rest:
            continue
        point = fields[4].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= best[0]):
            best = (len(point), fields[2], rest[0])
    return None if best is None else (best[1], best[2])


def _dm_crypt(device: Path, depth: int = 0) -> bool:
    """A block device (/sys/dev/block/M:N or /sys/class/block/X) that is, or sits on, dm-crypt."""
    try:
        uuid = (device / "dm" / "uuid").read_text(encoding="utf-8").strip()
    except OSError:
        uuid = ""
    if uuid.startswith("CRYPT-"):
        return True
    slaves = device / "slaves"
    if depth < 8 and slaves.is_dir():
        return any(_dm_crypt(s.resolve(), depth + 1) for s in slaves.iterdir())
    return False


def volume_of(path: Path) -> Volume:
    """What fgdprep can tell about the volume that holds ``path``."""
    path = path.resolve()
    if sys.platform == "darwin":
        try:
            out = subprocess.run(
                ["fdesetup", "isactive"], capture_output=True, text=True, timeout=10
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        return Volume(
            out.strip() == "true", "FileVault" if out.strip() == "true" else "no FileVault"
        )
    mount = _mount_of(path)
    if mount is None:
        return Volume(False, "unknown")
    devno, fstype = mount
    if fstype in ENCRYPTED_FS:
        return Volume(True, fstype)
    if _dm_crypt(Path("/sys/dev/block") / devno):
        return Volume(True, "dm-crypt")
    return Volume(False, fstype)


def describe(volume: Volume) -> str:
    if volume.encrypted:
        return f"The study is on an encrypted volume ({volume.how})."
    return (
        f"Warning: the study is not on a volume fgdprep can see is encrypted ({volume.how})."
        " Its identifiable area (recordings, transcripts, rosters, clips) is stored in clear"
        " and is protected only by file permissions: keep the study on an encrypted volume"
        " (LUKS, FileVault, BitLocker), as the README says."
    )
