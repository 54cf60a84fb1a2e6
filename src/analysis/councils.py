"""The councils the project knows, so a misspelt name is caught before it enters the manifest."""
from __future__ import annotations

import difflib

from .parsing import slug

# England's London authorities (the study's reports are all London boroughs; the Lewisham
# report's Ombudsman table covers them all). Any other council is added with --new-council.
LONDON_COUNCILS = {
    "barking_and_dagenham": "Barking and Dagenham", "barnet": "Barnet", "bexley": "Bexley",
    "brent": "Brent", "bromley": "Bromley", "camden": "Camden", "city_of_london": "City of London",
    "croydon": "Croydon", "ealing": "Ealing", "enfield": "Enfield", "greenwich": "Greenwich",
    "hackney": "Hackney", "hammersmith_and_fulham": "Hammersmith and Fulham",
    "haringey": "Haringey", "harrow": "Harrow", "havering": "Havering",
    "hillingdon": "Hillingdon", "hounslow": "Hounslow", "islington": "Islington",
    "kensington_and_chelsea": "Kensington and Chelsea", "kingston_upon_thames": "Kingston upon Thames",
    "lambeth": "Lambeth", "lewisham": "Lewisham", "merton": "Merton", "newham": "Newham",
    "redbridge": "Redbridge", "richmond_upon_thames": "Richmond upon Thames",
    "southwark": "Southwark", "sutton": "Sutton", "tower_hamlets": "Tower Hamlets",
    "waltham_forest": "Waltham Forest", "wandsworth": "Wandsworth", "westminster": "Westminster",
}


def council_label(council: str) -> str:
    """``barking_and_dagenham`` → ``Barking and Dagenham``: the name readers see in titles and prose."""
    if council in LONDON_COUNCILS:
        return LONDON_COUNCILS[council]
    return " ".join(w if w in {"and", "upon", "of"} else w.capitalize() for w in council.split("_"))


class UnknownCouncil(ValueError):
    """A council name the project has not seen; the message suggests the nearest known one."""


def resolve_council(name: str, known: set[str], *, allow_new: bool = False) -> str:
    """A council name as typed → its snake_case id; refuse an unknown name (likely a misspelling)."""
    council = slug(name)
    if not council:
        raise UnknownCouncil(f"council name {name!r} is empty after normalising")
    everyone = set(known) | set(LONDON_COUNCILS)
    if council in everyone or allow_new:
        return council
    nearest = difflib.get_close_matches(council, sorted(everyone), n=1, cutoff=0.6)
    hint = f" Did you mean {nearest[0]!r}?" if nearest else ""
    raise UnknownCouncil(
        f"unknown council {name!r} (normalised {council!r}).{hint} "
        "If this really is a council the study has never seen, add it with --new-council."
    )
