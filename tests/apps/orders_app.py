"""An order service with an outside world: it charges a payment provider with httpx
(async), sends the receipt through a mail service with requests (sync, from FastAPI's
thread pool), reads exchange rates with aiohttp, and its sessions expire after an hour.

The outside services' URLs come from the environment, as a deployed service's would.
"""

from __future__ import annotations

import os
import secrets
import time

import aiohttp
import httpx
import requests
from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

PAYMENTS_URL = os.environ.get("PAYMENTS_URL", "https://payments.example")
MAIL_URL = os.environ.get("MAIL_URL", "https://mail.example")
RATES_URL = os.environ.get("RATES_URL", "https://rates.example")
PAYMENTS_KEY = "sk_live_orders_4242"
SESSION_SECONDS = 3600

app = FastAPI()
_ERROR = {"content": {"application/json": {"schema": {"type": "object"}}}}
sessions: dict[str, float] = {}


class Login(BaseModel):
    user: str


class Order(BaseModel):
    amount: int
    card: str
    email: str | None = None


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/sessions", status_code=201)
def login(body: Login) -> dict[str, str]:
    token = secrets.token_hex(8)
    sessions[token] = time.time()
    return {"token": token, "user": body.user}


def _session(authorization: str | None) -> str:
    token = (authorization or "").removeprefix("Bearer ").strip()
    started = sessions.get(token)
    if started is None:
        raise HTTPException(401, "no session")
    if time.time() - started >= SESSION_SECONDS:
        raise HTTPException(401, "session expired")
    return token


@app.get("/me", responses={401: _ERROR})
def me(authorization: str | None = Header(default=None)) -> dict[str, str]:
    _session(authorization)
    return {"status": "signed in"}


def send_receipt(email: str, amount: int, charge: str) -> None:
    answer = requests.post(
        f"{MAIL_URL}/messages",
        json={"to": email, "subject": "Your receipt", "amount": amount, "charge": charge},
        timeout=5,
    )
    answer.raise_for_status()


@app.post("/orders", status_code=201, responses={402: _ERROR, 503: _ERROR, 504: _ERROR})
async def place_order(order: Order) -> dict[str, object]:
    try:
        async with httpx.AsyncClient(timeout=1.0) as client:
            answer = await client.post(
                f"{PAYMENTS_URL}/charges",
                json={"amount": order.amount, "currency": "EUR", "card": order.card},
                headers={"Authorization": f"Bearer {PAYMENTS_KEY}"},
            )
    except httpx.TimeoutException:
        raise HTTPException(504, "the payment provider did not answer in time") from None
    except httpx.ConnectError:
        raise HTTPException(503, "the payment provider is unavailable") from None
    if answer.status_code == 402:
        raise HTTPException(402, f"card declined: {answer.json().get('reason', 'unknown')}")
    answer.raise_for_status()
    charge = answer.json()["id"]
    if order.email:
        await run_in_threadpool(send_receipt, order.email, order.amount, charge)
    return {"status": "paid", "charge": charge, "amount": order.amount}


@app.get("/prices/{amount}", responses={502: _ERROR})
async def price_in_dollars(amount: int) -> dict[str, object]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{RATES_URL}/eur", params={"to": "usd"}) as answer,
    ):
        if answer.status != 200:
            raise HTTPException(502, "no exchange rate")
        rate = float(await answer.text())
    return {"eur": amount, "usd": round(amount * rate, 2)}
