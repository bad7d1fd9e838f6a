"""Routers are built fresh on every call, so two Dispatchers can live in one process."""

from __future__ import annotations

import inspect

from aiogram import Dispatcher
from aiogram.filters import Command

from bot.access import ADMIN, OPERATOR, VIEWER
from handlers import get_routers


def handler_names(dispatcher: Dispatcher) -> list[str]:
    names = []
    for router in dispatcher.chain_tail:
        for observer in (router.message, router.callback_query):
            names += [handler.callback.__qualname__ for handler in observer.handlers]
    return names


def test_two_dispatchers_get_their_own_routers_with_the_same_handlers():
    first, second = Dispatcher(), Dispatcher()
    first.include_routers(*get_routers())
    second.include_routers(*get_routers())

    assert handler_names(first) == handler_names(second)
    assert "new" in handler_names(first)
    assert not {id(router) for router in first.chain_tail} & {
        id(router) for router in second.chain_tail
    }


def test_every_handler_takes_its_event_first():
    # aiogram passes the event as the first argument, whatever that parameter is called.
    expected = {"message": "Message", "callback_query": "CallbackQuery", "error": "ErrorEvent"}
    dispatcher = Dispatcher()
    dispatcher.include_routers(*get_routers())
    checked = 0
    for router in dispatcher.chain_tail:
        for observer in (router.message, router.callback_query, router.errors):
            for handler in observer.handlers:
                first = next(iter(inspect.signature(handler.callback).parameters.values()))
                # Our modules annotate with strings; aiogram-dialog's dialogs with the classes.
                annotation = getattr(first.annotation, "__name__", first.annotation)
                assert annotation == expected[observer.event_name], handler.callback
                checked += 1
    assert checked > 40


def test_every_role_flag_is_one_of_those_access_exports():
    # Each role is written once, in bot/access.py; a handler without the flag needs an admin.
    dispatcher = Dispatcher()
    dispatcher.include_routers(*get_routers())
    roles = {exported["role"] for exported in (ADMIN, OPERATOR, VIEWER)}
    for router in dispatcher.chain_tail:
        for observer in (router.message, router.callback_query):
            for handler in observer.handlers:
                flags = handler.flags
                assert "role" not in flags or flags["role"] in roles, handler.callback
                assert set(flags) <= {"role", "commands"}, handler.callback


def test_building_routers_again_and_again_gathers_nothing_in_the_shared_flags():
    for _ in range(3):
        dispatcher = Dispatcher()
        dispatcher.include_routers(*get_routers())

    assert (ADMIN, OPERATOR, VIEWER) == (
        {"role": "admin"},
        {"role": "operator"},
        {"role": "viewer"},
    )
    # Each command handler's flags name its own command filter, once.
    for router in dispatcher.chain_tail:
        for handler in router.message.handlers:
            own = [item.callback for item in handler.filters or ()]
            assert handler.flags.get("commands", []) == [
                command for command in own if isinstance(command, Command)
            ], handler.callback
