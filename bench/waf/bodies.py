#!/usr/bin/env python3
"""Writes the benign request bodies of the WAF benchmark (deterministic, no randomness).

    bodies.py OUT_DIR

OUT_DIR/order.json: a 4 KB JSON order (customer, address, items, note), the shape of a
typical API POST. OUT_DIR/form.txt: a 64 KB application/x-www-form-urlencoded form of plain
prose fields (192 with the current words), the shape of a large CMS or survey form. Both are
meant to match no CRS rule at paranoia level 1; run.sh checks that they are answered 200 and
that no `waf` event is written for them.
"""

import json
import sys
import urllib.parse
from pathlib import Path

WORDS = (
    "the parcel arrived yesterday and the blue cotton shirt fits well we would like to order "
    "another one in green for our daughter next month please keep the same size and send "
    "it to the office address during working hours thank you for the friendly service"
).split()

JSON_BYTES = 4096
FORM_BYTES = 65536


def prose(seed, count):
    """`count` words of plain text, starting at a word chosen by `seed`."""
    return " ".join(WORDS[(seed * 7 + i) % len(WORDS)] for i in range(count))


def order_json():
    """A JSON order padded with items to exactly JSON_BYTES bytes."""
    order = {
        "order_id": "ORD-2026-118204",
        "customer": {
            "name": "Alice Martin",
            "email": "alice.martin@example.com",
            "phone": "+44 20 7946 0018",
        },
        "shipping": {
            "street": "12 Market Street",
            "city": "Leeds",
            "postcode": "LS1 4DY",
            "country": "GB",
        },
        "items": [],
        "note": "",
    }
    index = 0
    while len(json.dumps(order)) < JSON_BYTES - 200:
        order["items"].append(
            {
                "sku": f"SKU-{10023 + index}",
                "name": prose(index, 4),
                "quantity": 1 + index % 3,
                "unit_price": round(9.99 + index * 1.25, 2),
            }
        )
        index += 1
    text = json.dumps(order)
    order["note"] = prose(3, 80)[: JSON_BYTES - len(text)]
    return json.dumps(order).encode()


def form_urlencoded():
    """A urlencoded form of plain-prose fields, padded to exactly FORM_BYTES bytes."""
    fields = []
    size = 0
    index = 0
    while True:
        pair = urllib.parse.urlencode({f"answer_{index:03d}": prose(index, 60)})
        if size + len(pair) + 1 > FORM_BYTES:
            break
        fields.append(pair)
        size += len(pair) + 1
        index += 1
    body = "&".join(fields)
    pad = FORM_BYTES - len(body) - len("&comment=")
    fields.append("comment=" + "+".join(["thanks"] * (pad // 7 + 1))[:pad])
    return "&".join(fields).encode()


def main():
    """Writes both bodies into the directory given as the only argument."""
    if len(sys.argv) != 2:
        sys.exit("usage: bodies.py OUT_DIR")
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    (out / "order.json").write_bytes(order_json())
    (out / "form.txt").write_bytes(form_urlencoded())


if __name__ == "__main__":
    main()
