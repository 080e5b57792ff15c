"""Items: a small CRUD resource with validation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from pydantic import BaseModel, Field, field_validator

from asgibdd.demo.documented import answers
from asgibdd.demo.store import Item, Store, get_store

router = APIRouter(tags=["items"])
StoreDep = Annotated[Store, Depends(get_store)]

Name = Annotated[str, Field(min_length=1, max_length=100)]
Price = Annotated[float, Field(ge=0)]


class ItemIn(BaseModel):
    """A new item, or the full replacement of one (PUT)."""

    name: Name
    price: Price
    tags: list[str] = []


class ItemPatch(BaseModel):
    """Some fields of an item; the ones left out keep their value."""

    name: Name | None = None
    price: Price | None = None
    tags: list[str] | None = None

    @field_validator("name", "price", "tags", mode="before")
    @classmethod
    def _reject_null(cls, value: Any) -> Any:
        # Leaving a field out keeps it; an explicit null would erase a required field.
        if value is None:
            raise ValueError("may be left out to keep its value, but cannot be null")
        return value


class ItemList(BaseModel):
    items: list[Item]
    count: int


@router.get("/items")
async def list_items(
    store: StoreDep,
    q: Annotated[str | None, Query(description="case-insensitive part of the name")] = None,
    limit: Annotated[int | None, Query(ge=0)] = None,
) -> ItemList:
    items = list(store.items.values())
    if q is not None:
        items = [item for item in items if q.casefold() in item.name.casefold()]
    if limit is not None:
        items = items[:limit]
    return ItemList(items=items, count=len(items))


@router.post("/items", status_code=status.HTTP_201_CREATED)
async def create_item(new: ItemIn, store: StoreDep, response: Response) -> Item:
    item = store.add_item(new.name, new.price, new.tags)
    response.headers["Location"] = f"/items/{item.id}"
    return item


@router.get("/items/{item_id}", responses=answers(404))
async def get_item(item_id: int, store: StoreDep) -> Item:
    return _find(store, item_id)


@router.put("/items/{item_id}", responses=answers(404))
async def replace_item(item_id: int, new: ItemIn, store: StoreDep) -> Item:
    item = _find(store, item_id)
    item.name, item.price, item.tags = new.name, new.price, list(new.tags)
    return item


@router.patch("/items/{item_id}", responses=answers(404))
async def update_item(item_id: int, changes: ItemPatch, store: StoreDep) -> Item:
    item = _find(store, item_id)
    for name, value in changes.model_dump(exclude_unset=True).items():
        setattr(item, name, value)
    return item


@router.delete("/items/{item_id}", status_code=status.HTTP_204_NO_CONTENT, responses=answers(404))
async def delete_item(item_id: int, store: StoreDep) -> Response:
    _find(store, item_id)
    del store.items[item_id]
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _find(store: Store, item_id: int) -> Item:
    item = store.items.get(item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"Item {item_id} not found")
    return item
