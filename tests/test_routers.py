"""Routers are built fresh on every call, so two Dispatchers can live in one process."""

from __future__ import annotations

from aiogram import Dispatcher

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
