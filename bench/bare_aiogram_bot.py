"""The floor of L6: a minimal aiogram long-polling bot, as small as an aiogram bot gets."""

import asyncio
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import CommandStart
from aiogram.types import Message

dispatcher = Dispatcher()


@dispatcher.message(CommandStart())
async def start(message: Message) -> None:
    await message.answer("Hello")


async def main() -> None:
    api = TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"])
    await dispatcher.start_polling(Bot(os.environ["BOT_TOKEN"], session=AiohttpSession(api=api)))


asyncio.run(main())
