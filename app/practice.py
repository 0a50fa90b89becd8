"""练习模式: a store of its own with a fictional township, to learn the program on. Nothing in it is ever sent.

The practice store lives in ``<data dir>/practice``, beside (never inside) the real store, encrypted like any
store under a passphrase that is no secret (the data are made up). It is marked by the setting ``practice``;
the sync client refuses to enroll, sync or package a practice store (``refuse_if_practice``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.errors import CunFangError, ErrorCode
from app.store import Store
from app.store.keyring import FAST_KDF

PRACTICE_FOLDER = "practice"
PASSPHRASE = "cunfang-practice-data"  # not a secret: everything in the practice store is fictional
MARK = "practice"
PRACTICE_PERSONS = 600  # a township's worth to click through; loads in about two seconds


def practice_dir(data_dir: Path) -> Path:
    return Path(data_dir) / PRACTICE_FOLDER


def is_practice(store: Store) -> bool:
    return store.get_setting(MARK) == "1"


def refuse_if_practice(store: Store) -> None:
    """The one check the sync client makes before anything leaves the laptop."""
    if is_practice(store):
        raise CunFangError(ErrorCode.PRACTICE_NOT_SENT)


def open_practice(data_dir: Path, *, author: str = "", persons: int = PRACTICE_PERSONS,
                  progress: Callable[[int, int], None] | None = None) -> Store:
    """The practice store, made with its demo township the first time."""
    from app.demo import TOWN, load_demo

    folder = practice_dir(data_dir)
    if Store.exists(folder):
        store = Store.open(folder, PASSPHRASE)
        if is_practice(store):
            return store
        store.close()
        raise CunFangError(ErrorCode.PRACTICE_NOT_SENT)  # a real store where practice belongs: never use it
    folder.mkdir(parents=True, exist_ok=True)
    store = Store.create(folder, PASSPHRASE, kdf=FAST_KDF)
    store.set_setting(MARK, "1")
    store.set_setting("town", TOWN)
    store.set_setting("author", author or "练习用户")
    from app.settings import Settings, VisitRules, save_settings

    save_settings(folder, Settings(visits=VisitRules(monthly_floor=True)))  # the monthly target the data keep
    load_demo(store, persons=persons, progress=progress, working=True)  # a township at work, not a test set
    return store


def reset_practice(data_dir: Path) -> None:
    """Throw the practice data away (the next 练习模式 starts afresh); the real store is not touched."""
    import shutil

    folder = practice_dir(data_dir)
    if folder.exists():
        shutil.rmtree(folder)
