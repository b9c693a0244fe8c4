"""The system accounts of a served class: one per learner and one for the instructor.

The hub authenticates with PAM and starts each server as its account, so these accounts are what
keeps learners apart: a home of mode 0700 each, a password each (set with ``chpasswd``). Every
account the kit creates carries the comment ``kworkshop class <name>``; the kit changes or deletes
only accounts with that comment, never one it did not make.
"""

from __future__ import annotations

import os
import pwd
import secrets
from dataclasses import dataclass
from pathlib import Path

from ... import programs
from ...errors import ConfigError
from ...i18n import _

MAX_NAME = 32  # useradd's limit on a user name
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # nothing that reads as another (l/1, o/0)


def marker(class_name: str) -> str:
    return f"kworkshop class {class_name}"


def require_root(action: str) -> None:
    """``action`` (a command, e.g. ```kworkshop class serve```) creates system accounts: it needs root."""
    if os.geteuid() != 0:
        raise ConfigError(_("{action} creates a system account per learner (their servers run as them, so one "
                            "learner cannot read another's files): run it as root, e.g. with sudo.")
                          .format(action=action))


def require_root_to_remove(class_name: str) -> None:
    if os.geteuid() != 0:
        raise ConfigError(_("deleting the system accounts of class {name} (and their homes) needs root: "
                            "run it as root, e.g. with sudo.").format(name=class_name))


def new_password(length: int = 12) -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _index in range(length))


@dataclass(frozen=True)
class Account:
    name: str
    home: Path
    uid: int
    gid: int


def _run(argv: list[str], stdin: str | None = None) -> None:
    programs.run(argv, timeout=60, what=argv[0], input=stdin)


def account(name: str) -> Account | None:
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return None
    return Account(entry.pw_name, Path(entry.pw_dir), entry.pw_uid, entry.pw_gid)


def ensure(name: str, class_name: str) -> Account:
    """The account ``name`` of the class, created if needed (home 0700, bash); refuses a stranger's."""
    if len(name) > MAX_NAME:
        raise ConfigError(_("the system user name {name} is longer than {limit} characters: "
                            "choose a shorter class or learner name.").format(name=repr(name), limit=MAX_NAME))
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        _run(["useradd", "--create-home", "--shell", "/bin/bash", "--user-group",
              "--comment", marker(class_name), name])
        entry = pwd.getpwnam(name)
    else:
        if entry.pw_gecos != marker(class_name):
            raise ConfigError(_("a system user {name} already exists and was not made for class {class_name}; "
                                "the kit leaves it alone: choose another class or learner name.")
                              .format(name=repr(name), class_name=repr(class_name)))
    home = Path(entry.pw_dir)
    home.chmod(0o700)  # useradd's default follows HOME_MODE (often 0755 on Debian): only its owner
    return Account(entry.pw_name, home, entry.pw_uid, entry.pw_gid)


def set_passwords(passwords: dict[str, str]) -> None:
    """Set every account's password in one ``chpasswd`` (which hashes them as the system does)."""
    if passwords:
        _run(["chpasswd"], stdin="".join(f"{name}:{pw}\n" for name, pw in passwords.items()))


def of_class(class_name: str) -> list[Account]:
    """The accounts the kit made for the class (by their comment)."""
    return [Account(e.pw_name, Path(e.pw_dir), e.pw_uid, e.pw_gid) for e in pwd.getpwall()
            if e.pw_gecos == marker(class_name)]


def remove(acct: Account) -> None:
    """Delete the account and its home (``userdel --remove``); its processes must have ended."""
    _run(["userdel", "--remove", acct.name])
