"""Matching: which interpreters may take a booking, how well they fit, and why the others may not.

Pure rules over plain data: the profiles (the booking service's copy of auth's ProfileUpdated, see
docs/contracts.md "Profiles"), the interpreters' other bookings, a policy and optional location
tables. No I/O here; the application builds the indexes from its stores.

Decisions (documented in docs/contracts.md, "Matching"):
- Language pair: interpreting is a dialogue, so a pair French→Hungarian serves a booking
  Hungarian→French too (either direction), with a small score bonus for the exact direction.
  Document translation is written one way: only the exact direction counts. Languages are compared
  by their reference code when the reference data knows the name (French, English or code: "Hongrois"
  = "Hungarian" = "hu"), else by name, case- and accent-insensitively ("Français" = "francais").
- Context: a booking whose context needs a competency (the reference data's requires_competency;
  for a context it does not know, any but the policy's open contexts) needs an interpreter who lists
  it among their contexts.
- Availability: `always` or weekly slots (Monday=0) in America/Montreal; the whole slot of a timed
  booking must be covered (merged slots, across midnight too). No availability on record = always.
  Due-date modes (message transmission, translation) have no slot: availability and overlaps do not
  apply, inactivity periods do over the due day.
- Eligibility documents marked "inactive if not valid" must still be valid today and on the
  booking's last day (as auth counts it: invalid from 00:00 on the expiry date).
- Overlap: an assigned booking (booked, modified, service provided) overlapping the slot, widened by
  the travel margin (policy, 60 min) when either booking is in person.
- Distance (in person only): from the closer of home (home_coordinates) and the head office of the
  main work region (the reference data's region, the FAQ's mileage origin; without it, the work
  region's postal code), by haversine to the booking's facility (its reference coordinates, or the
  optional tables by facility name or the address's postal code); else a fallback on postal codes:
  same forward sortation area (first 3 characters) scores as near, same first letter as same
  region, else "distance unknown" (scored lower, never excluded). Beyond policy.max_distance_km
  (None = no limit) the interpreter is out.
- Score (0..100): 50 base + 10 exact direction + 30 proximity (remote modes get it in full)
  + 10 workload (fewer assignments in the surrounding week). Tiers: candidates by score, in chunks
  of policy.tier_size (tier 1 = best).
Every reason is a message code with params (ims_common/messages.py translates them)."""
from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from ims_common.validation import invalid
from ims_common.times import MONTREAL, local_today, parse_iso
from services.booking.contract.vocabulary import TIMED_MODES

DIRECTED_MODES = ("document_translation",)
BUSY_STATUSES = ("booked", "modified", "service_provided")
MAX_BOOKING = timedelta(hours=12)            # longest booking (720 minutes): bounds overlap scans
POSTAL = re.compile(r"\b([A-Za-z]\d[A-Za-z])\s?(\d[A-Za-z]\d)\b")


@dataclass(frozen=True)
class MatchingPolicy:
    travel_margin_minutes: int = 60
    max_distance_km: float | None = None
    near_km: float = 100.0                    # proximity score falls to 0 at this distance
    open_contexts: tuple = ("santé physique", "physical health", "général", "general", "")
    tier_size: int = 5
    offer_timeout_minutes: int = 120          # escalate to the next tier after this long
    flag_before_hours: int = 48               # flag bookings still unfilled this close to the start
    max_offer: int = 100                      # an offer names at most this many interpreters


DEFAULT_POLICY = MatchingPolicy()


def reason(code: str, **params) -> dict:
    return {"code": code, "params": params}


def norm(text) -> str:
    """Case- and accent-insensitive key of a language or context name."""
    if not isinstance(text, str):
        return ""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def postal_code(text) -> str | None:
    """'H2X 1Y4' from any text holding a Canadian postal code, else None."""
    if not isinstance(text, str):
        return None
    found = POSTAL.search(text)
    return (found.group(1) + found.group(2)).upper() if found else None


def haversine_km(a: tuple, b: tuple) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _coords(value) -> tuple | None:
    if isinstance(value, dict):
        value = (value.get("lat"), value.get("lon"))
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in value):
        return float(value[0]), float(value[1])
    return None


@dataclass(frozen=True)
class Catalogue:
    """What matching reads of the bank's reference data: facilities' and regions' head offices'
    coordinates by code, and the code of each language and context name (French, English or the
    code itself, normalized), with whether the context needs a competency."""
    facilities: dict = field(default_factory=dict)        # code -> (lat, lon)
    region_offices: dict = field(default_factory=dict)    # "06" -> (lat, lon)
    languages: dict = field(default_factory=dict)         # norm(name) -> code
    contexts: dict = field(default_factory=dict)          # norm(name) -> (code, requires_competency)


class Locations:
    """Coordinates of facilities (by code from the reference data, or by name from the optional
    table), regions' head offices, and postal codes (full code or its first 3 characters); and the
    names of languages and contexts the reference data knows."""

    def __init__(self, facilities: dict | None = None, postal_codes: dict | None = None,
                 catalogue: Catalogue | None = None):
        self.facilities = {norm(k): c for k, v in (facilities or {}).items() if (c := _coords(v))}
        self.postal = {str(k).replace(" ", "").upper(): c for k, v in (postal_codes or {}).items()
                       if (c := _coords(v))}
        self.catalogue = catalogue or Catalogue()

    def of_postal(self, code: str | None) -> tuple | None:
        if not code:
            return None
        return self.postal.get(code) or self.postal.get(code[:3])

    def of_facility(self, facility) -> tuple | None:
        if not isinstance(facility, str):
            return None
        return self.catalogue.facilities.get(facility.strip().upper()) or self.facilities.get(norm(facility))

    def of_booking(self, booking: dict) -> tuple | None:
        return self.of_facility(booking.get("facility")) or self.of_postal(postal_code(booking.get("address")))

    def of_region(self, region) -> tuple | None:
        """The head office of a region given as "06" or "06-Montréal" (a profile's main region)."""
        code = region.strip()[:2] if isinstance(region, str) else ""
        return self.catalogue.region_offices.get(code) if code.isdigit() else None

    def language(self, name) -> str:
        """The key a language is compared by: its reference code when known, else its normalized name."""
        key = norm(name)
        return self.catalogue.languages.get(key, key)

    def context(self, name) -> tuple[str, bool | None]:
        """(key, needs a competency: None when the reference data does not know the context)."""
        key = norm(name)
        known = self.catalogue.contexts.get(key)
        return (known[0], known[1]) if known else (key, None)


def _minutes(hhmm) -> int | None:
    if not isinstance(hhmm, str) or not re.fullmatch(r"\d{1,2}:\d{2}", hhmm.strip()):
        return None
    h, m = (int(x) for x in hhmm.strip().split(":"))
    if h == 24 and m == 0:
        return 1440
    return h * 60 + m if h < 24 and m < 60 else None


def _merge(spans: list) -> list:
    merged: list = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _when(value) -> datetime | None:
    try:
        moment = parse_iso(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass
class Interpreter:
    """What matching needs of one profile, precomputed once."""
    user_id: str
    name: str
    active: bool
    offers: bool
    modes: frozenset
    pairs: frozenset                 # (source, target) normalized
    contexts: frozenset
    always: bool
    slots: dict                      # weekday -> merged [(start_min, end_min)]
    inactivity: list                 # [(start, end, reason)]
    documents: list                  # [(name, expires_on)] of documents required to be valid
    blocked: frozenset
    origins: list                    # coordinates of home and work region
    postal_codes: tuple              # home and work region postal codes (fallback)

    @classmethod
    def from_profile(cls, profile: dict, locations: Locations) -> "Interpreter":
        availability = profile.get("availability")
        slots: dict = {}
        always = not isinstance(availability, dict) or bool(availability.get("always"))
        if isinstance(availability, dict):
            for slot in availability.get("slots") or []:
                if not isinstance(slot, dict):
                    continue
                day, start, end = slot.get("weekday"), _minutes(slot.get("start")), _minutes(slot.get("end"))
                if end == 0:
                    end = 1440
                if day in range(7) and start is not None and end is not None and end > start:
                    slots.setdefault(day, []).append((start, end))
        inactivity = []
        for period in profile.get("inactivity_periods") or []:
            begins, ends = _when((period or {}).get("start")), _when((period or {}).get("end"))
            if begins and ends and ends > begins:
                inactivity.append((begins, ends, period.get("reason")))
        documents = [(d.get("name") or d.get("id") or "?", _date(d.get("expires_on")))
                     for d in profile.get("eligibility_documents") or []
                     if isinstance(d, dict) and d.get("inactive_if_invalid")]
        pairs = set()
        for pair in profile.get("language_pairs") or []:
            if isinstance(pair, dict) and norm(pair.get("source")) and norm(pair.get("target")):
                pairs.add((locations.language(pair["source"]), locations.language(pair["target"])))
        home = _coords(profile.get("home_coordinates"))
        work_postal = postal_code(profile.get("work_region_postal_code"))
        # The FAQ's origins: home, and the head office of the main work region (or, without the
        # reference data, the main work region's postal code).
        work = locations.of_region(profile.get("region")) or locations.of_postal(work_postal)
        name = " ".join(p for p in (profile.get("first_name"), profile.get("last_name")) if isinstance(p, str))
        return cls(
            user_id=profile["user_id"], name=name,
            active=profile.get("active", True) is not False,
            offers=profile.get("available_for_offers", True) is not False,
            modes=frozenset(m for m in profile.get("request_types") or [] if isinstance(m, str)),
            pairs=frozenset(pairs),
            contexts=frozenset(locations.context(c)[0] for c in profile.get("contexts") or []),
            always=always, slots={d: _merge(s) for d, s in slots.items()},
            inactivity=inactivity, documents=documents,
            blocked=frozenset(str(b.get("establishment", "")).upper()
                              for b in profile.get("establishment_blocks") or [] if isinstance(b, dict)),
            origins=[c for c in (home, work) if c],
            postal_codes=tuple(p for p in (postal_code(profile.get("postal_code")), work_postal) if p))


def is_interpreter(profile: dict) -> bool:
    return isinstance(profile, dict) and isinstance(profile.get("user_id"), str) and (
        profile.get("role") == "interpreter" or profile.get("secondary_role") == "interpreter")


class InterpreterIndex:
    """Interpreters by unordered language pair, so a booking only evaluates those who speak both."""

    def __init__(self, profiles, locations: Locations | None = None):
        self.locations = locations or Locations()
        self.all: dict[str, Interpreter] = {}
        self.by_pair: dict[frozenset, list[str]] = {}
        for profile in profiles:
            if not is_interpreter(profile):
                continue
            interpreter = Interpreter.from_profile(profile, self.locations)
            self.all[interpreter.user_id] = interpreter
            for pair in {frozenset(p) for p in interpreter.pairs}:
                self.by_pair.setdefault(pair, []).append(interpreter.user_id)
        self.ordered = sorted(self.all)          # excluded lists come out in id order, unsorted

    def speaking(self, source: str | None, target: str | None) -> list[str]:
        language = self.locations.language
        return self.by_pair.get(frozenset((language(source), language(target))), [])


@dataclass(order=True)
class _Busy:
    start: datetime
    end: datetime = field(compare=False)
    booking_id: str | None = field(compare=False)
    in_person: bool = field(compare=False)


class BusyIndex:
    """Each interpreter's assigned bookings, sorted by start (overlap and workload by bisection)."""

    def __init__(self, bookings=()):
        self._by: dict[str, list[_Busy]] = {}
        self._starts: dict[str, list[datetime]] = {}
        for booking in bookings:
            self.add(booking)

    def add(self, booking: dict) -> None:
        uid = booking.get("assigned_interpreter_id")
        if not uid or booking.get("status") not in BUSY_STATUSES or booking.get("mode") not in TIMED_MODES:
            return
        entry = _Busy(parse_iso(booking["start_at"]), parse_iso(booking["end_at"]), booking.get("id"),
                      booking.get("mode") == "in_person")
        entries = self._by.setdefault(uid, [])
        position = bisect_right(entries, entry)
        entries.insert(position, entry)
        self._starts.setdefault(uid, []).insert(position, entry.start)

    def overlapping(self, uid: str, start: datetime, end: datetime, in_person: bool, margin: timedelta,
                    skip_id: str | None) -> _Busy | None:
        starts = self._starts.get(uid)
        if not starts:
            return None
        entries = self._by[uid]
        i = bisect_left(starts, end + margin)
        lowest = start - margin - MAX_BOOKING
        while i > 0:
            i -= 1
            other = entries[i]
            if other.start < lowest:
                break
            if other.booking_id == skip_id:
                continue
            pad = margin if (in_person or other.in_person) else timedelta(0)
            if other.start < end + pad and other.end > start - pad:
                return other
        return None

    def count_near(self, uid: str, moment: datetime, days: float = 3.5) -> int:
        starts = self._starts.get(uid)
        if not starts:
            return 0
        span = timedelta(days=days)
        return bisect_right(starts, moment + span) - bisect_left(starts, moment - span)


@dataclass
class MatchResult:
    candidates: list = field(default_factory=list)   # [{interpreter_id, name, score, tier, reasons, ...}]
    excluded: list = field(default_factory=list)     # [{interpreter_id, name, reasons}]

    def to_dict(self) -> dict:
        return {"candidates": self.candidates, "excluded": self.excluded}


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Query:
    """What every interpreter is checked against, computed once per booking."""
    booking: dict
    start: datetime
    end: datetime
    mode: str | None
    source: str
    target: str
    context: str
    context_required: bool
    establishment: str
    last_day: date
    today: date
    segments: list                   # [(weekday, lo_min, hi_min, local date, "HH:MM")] in Montreal
    margin: timedelta
    target_coords: tuple | None
    booking_postal: str | None
    policy: MatchingPolicy

    @classmethod
    def of(cls, booking: dict, now: datetime, policy: MatchingPolicy, locations: Locations | None) -> "Query":
        start, end = parse_iso(booking["start_at"]), parse_iso(booking["end_at"])
        locations = locations or Locations()
        context, needs_competency = locations.context(booking.get("context"))
        if needs_competency is None:          # a context the reference data does not know
            needs_competency = norm(booking.get("context")) not in {norm(c) for c in policy.open_contexts}
        segments = []
        local, stop = start.astimezone(MONTREAL), end.astimezone(MONTREAL)
        while local < stop:
            midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
            segment_end = min(stop, midnight)
            hi = 1440 if segment_end == midnight else segment_end.hour * 60 + segment_end.minute
            segments.append((local.weekday(), local.hour * 60 + local.minute, hi, local.date().isoformat(),
                             local.strftime("%H:%M")))
            local = segment_end
        return cls(
            booking=booking, start=start, end=end, mode=booking.get("mode"),
            source=locations.language(booking.get("source_language")),
            target=locations.language(booking.get("target_language")),
            context=context, context_required=needs_competency,
            establishment=str(booking.get("establishment") or "").upper(),
            last_day=(end - timedelta(seconds=1)).astimezone(MONTREAL).date(), today=local_today(now),
            segments=segments, margin=timedelta(minutes=policy.travel_margin_minutes),
            target_coords=locations.of_booking(booking) if booking.get("mode") == "in_person" else None,
            booking_postal=postal_code(booking.get("address")), policy=policy)


def _covered(interpreter: Interpreter, q: Query) -> dict | None:
    """None when the weekly slots cover the booking in Montreal time; else the first gap."""
    if interpreter.always:
        return None
    for weekday, lo, hi, day, at in q.segments:
        if not any(s <= lo and hi <= e for s, e in interpreter.slots.get(weekday, ())):
            return reason("matching.unavailable", weekday=weekday, start=at, date=day)
    return None


def _distance(interpreter: Interpreter, target: tuple | None, booking_postal: str | None,
              near_km: float):
    """(km or None, proximity 0..1, reason)."""
    if target and interpreter.origins:
        km = min(haversine_km(o, target) for o in interpreter.origins)
        return km, max(0.0, 1.0 - km / near_km), reason("matching.ok.distance", km=round(km, 1))
    if booking_postal and interpreter.postal_codes:
        if any(p[:3] == booking_postal[:3] for p in interpreter.postal_codes):
            return None, 0.8, reason("matching.ok.same_area", area=booking_postal[:3])
        if any(p[0] == booking_postal[0] for p in interpreter.postal_codes):
            return None, 0.5, reason("matching.ok.same_region", region=booking_postal[0])
    return None, 0.3, reason("matching.ok.distance_unknown")


def evaluate(interpreter: Interpreter, booking: dict, busy, now: datetime,
             policy: MatchingPolicy = DEFAULT_POLICY, locations: Locations | None = None, *,
             query: Query | None = None) -> tuple:
    """(reasons it is out, reasons it fits, score, distance_km) for one interpreter and one booking."""
    q = query or Query.of(booking, now, policy, locations)
    out: list = []
    fits: list = []
    exact = (q.source, q.target) in interpreter.pairs
    if not exact and (q.mode in DIRECTED_MODES or (q.target, q.source) not in interpreter.pairs):
        out.append(reason("matching.language_pair", source=booking.get("source_language"),
                          target=booking.get("target_language")))
    else:
        fits.append(reason("matching.ok.language", direction="exact" if exact else "reverse"))
    if not interpreter.active:
        out.append(reason("matching.account_inactive"))
    if not interpreter.offers:
        out.append(reason("matching.not_available_for_offers"))
    if q.mode not in interpreter.modes:
        out.append(reason("matching.mode_not_accepted", mode=q.mode))
    if q.context_required:
        if q.context in interpreter.contexts:
            fits.append(reason("matching.ok.context", context=booking.get("context")))
        else:
            out.append(reason("matching.context_missing", context=booking.get("context")))
    if q.establishment in interpreter.blocked:
        out.append(reason("matching.blocked_for_establishment", establishment=q.establishment))
    for p_start, p_end, _why in interpreter.inactivity:
        if p_start < q.end and p_end > q.start:
            out.append(reason("matching.inactivity_period", start=_iso(p_start), end=_iso(p_end)))
            break
    for name, expires_on in interpreter.documents:
        if expires_on is None or expires_on <= max(q.today, q.last_day):   # auth: invalid from that day
            out.append(reason("matching.document_invalid", document=name,
                              expires_on=expires_on.isoformat() if expires_on else None))
            break
    in_person = q.mode == "in_person"
    if q.mode in TIMED_MODES:
        gap = _covered(interpreter, q)
        if gap:
            out.append(gap)
        other = busy.overlapping(interpreter.user_id, q.start, q.end, in_person, q.margin, booking.get("id"))
        if other:
            out.append(reason("matching.overlapping_booking", booking_id=other.booking_id,
                              start_at=_iso(other.start), margin_minutes=policy.travel_margin_minutes
                              if (in_person or other.in_person) else 0))
    km, proximity = None, 1.0
    if in_person:
        km, proximity, why = _distance(interpreter, q.target_coords, q.booking_postal, policy.near_km)
        if km is not None and policy.max_distance_km is not None and km > policy.max_distance_km:
            out.append(reason("matching.too_far", km=round(km, 1), max_km=policy.max_distance_km))
        else:
            fits.append(why)
    if out:
        return out, fits, 0.0, None if km is None else round(km, 1)
    load = busy.count_near(interpreter.user_id, q.start)
    score = 50 + (10 if exact else 0) + 30 * proximity + 10 * (1 - min(load, 10) / 10)
    if load:
        fits.append(reason("matching.ok.workload", bookings=load))
    return out, fits, round(score, 1), None if km is None else round(km, 1)


def match(booking: dict, index: InterpreterIndex, busy: BusyIndex, now: datetime,
          policy: MatchingPolicy = DEFAULT_POLICY, *, exhaustive: bool = True) -> MatchResult:
    """Candidates (best first, with tiers) and every other interpreter with the reasons it is out.

    Interpreters who do not speak the pair are out for that reason alone (found by the index,
    never evaluated further); exhaustive=False leaves them out of `excluded` entirely."""
    result = MatchResult()
    q = Query.of(booking, now, policy, index.locations)
    speaking = index.speaking(booking.get("source_language"), booking.get("target_language"))
    q_speaking = set(speaking)
    declined = set(booking.get("declined_by") or [])
    offered = set(booking.get("offered_to") or []) - declined
    assigned = booking.get("assigned_interpreter_id")
    for uid in speaking:
        interpreter = index.all[uid]
        out, fits, score, km = evaluate(interpreter, booking, busy, now, policy, query=q)
        if uid in declined:
            out.insert(0, reason("matching.declined"))
        if uid == assigned:
            out.insert(0, reason("matching.already_assigned"))
        if out:
            result.excluded.append({"interpreter_id": uid, "name": interpreter.name, "reasons": out})
        else:
            result.candidates.append({"interpreter_id": uid, "name": interpreter.name, "score": score,
                                      "distance_km": km, "offered": uid in offered, "reasons": fits})
    if exhaustive:
        why = [reason("matching.language_pair", source=booking.get("source_language"),
                      target=booking.get("target_language"))]
        evaluated = {e["interpreter_id"]: e for e in result.excluded}
        everyone = index.all
        result.excluded = [evaluated[uid] if uid in evaluated else
                           {"interpreter_id": uid, "name": everyone[uid].name, "reasons": why}
                           for uid in index.ordered if uid in evaluated or uid not in q_speaking]
    else:
        result.excluded.sort(key=lambda e: e["interpreter_id"])
    result.candidates.sort(key=lambda c: (-c["score"], c["interpreter_id"]))
    for rank, candidate in enumerate(result.candidates):
        candidate["tier"] = rank // max(1, policy.tier_size) + 1
    return result


class LinearBusy:
    """BusyIndex's interface by scanning every booking of the interpreter (the naive baseline)."""

    def __init__(self, bookings_by_interpreter: dict):
        self._by = bookings_by_interpreter

    def overlapping(self, uid, start, end, in_person, margin, skip_id):
        for b in self._by.get(uid, ()):
            if b.get("status") not in BUSY_STATUSES or b.get("mode") not in TIMED_MODES or b.get("id") == skip_id:
                continue
            other_in_person = b.get("mode") == "in_person"
            pad = margin if (in_person or other_in_person) else timedelta(0)
            o_start, o_end = parse_iso(b["start_at"]), parse_iso(b["end_at"])
            if o_start < end + pad and o_end > start - pad:
                return _Busy(o_start, o_end, b.get("id"), other_in_person)
        return None

    def count_near(self, uid, moment, days=3.5):
        span = timedelta(days=days)
        return sum(1 for b in self._by.get(uid, ()) if b.get("status") in BUSY_STATUSES
                   and b.get("mode") in TIMED_MODES and abs(parse_iso(b["start_at"]) - moment) <= span)


def match_naive(booking: dict, profiles, bookings_by_interpreter: dict, now: datetime,
                policy: MatchingPolicy = DEFAULT_POLICY, locations: Locations | None = None) -> MatchResult:
    """The benchmark's baseline: every profile parsed and evaluated on every rule, every booking of
    each interpreter scanned (no language index, no sorted bookings)."""
    locations = locations or Locations()
    busy = LinearBusy(bookings_by_interpreter)
    result = MatchResult()
    for profile in profiles:
        if not is_interpreter(profile):
            continue
        interpreter = Interpreter.from_profile(profile, locations)
        out, fits, score, km = evaluate(interpreter, booking, busy, now, policy, locations)  # no shared Query
        if out:
            result.excluded.append({"interpreter_id": interpreter.user_id, "reasons": out})
        else:
            result.candidates.append({"interpreter_id": interpreter.user_id, "score": score, "reasons": fits})
    result.candidates.sort(key=lambda c: (-c["score"], c["interpreter_id"]))
    return result


# --- offering and escalation ------------------------------------------------------------------

# What a profile says about working now: an offer naming such an interpreter is refused; the other
# reasons (language, availability, distance…) a coordinator may knowingly override.
HARD_RULES = ("matching.account_inactive", "matching.not_available_for_offers", "matching.inactivity_period",
              "matching.document_invalid", "matching.blocked_for_establishment")


def hard_exclusions(interpreter: Interpreter, booking: dict, now: datetime,
                    policy: MatchingPolicy = DEFAULT_POLICY) -> list[dict]:
    """The reasons among HARD_RULES this interpreter may not take the booking (empty: they may)."""
    out, _, _, _ = evaluate(interpreter, booking, BusyIndex(), now, policy)
    return [r for r in out if r["code"] in HARD_RULES]


# What stops a direct assignment unless the coordinator overrides it, with a reason: the profile's
# rules above and a booking the interpreter already holds at that time. The rest (language pair,
# request type, weekly availability, distance) the coordinator may know better: a phone call.
ASSIGN_RULES = HARD_RULES + ("matching.overlapping_booking",)


def assign_exclusions(interpreter: Interpreter, booking: dict, busy, now: datetime,
                      policy: MatchingPolicy = DEFAULT_POLICY, locations: Locations | None = None) -> list[dict]:
    """The reasons among ASSIGN_RULES this interpreter may not be assigned the booking."""
    out, _, _, _ = evaluate(interpreter, booking, busy, now, policy, locations)
    return [r for r in out if r["code"] in ASSIGN_RULES]


def wants_broadcast(payload: dict) -> bool:
    """True for an offer {"all_qualified": true} (to every current candidate at once); an offer
    mixing it with other fields, or giving it another value, is invalid."""
    if payload.get("all_qualified") is True:
        if set(payload) - {"all_qualified"}:
            raise invalid({"all_qualified": ["field.exclusive"]})
        return True
    if "all_qualified" in payload:
        raise invalid({"all_qualified": ["field.invalid"]})
    return False


def next_tier_number(state: dict) -> int:
    """The tier an escalation widens to: one past the highest so far (the first offer is tier 1)."""
    return max([r.get("tier") or 1 for r in state.get("offer_rounds") or []] + [1]) + 1


def holders(state: dict) -> list[str]:
    declined = set(state.get("declined_by") or [])
    return [uid for uid in state.get("offered_to") or [] if uid not in declined]


def next_tier(state: dict, result: MatchResult, policy: MatchingPolicy = DEFAULT_POLICY) -> list[str]:
    """The next `tier_size` candidates by score never offered this booking (the widening step)."""
    asked = set(state.get("offered_to") or []) | set(state.get("declined_by") or []) | set(
        state.get("offers_withdrawn") or [])
    fresh = [c["interpreter_id"] for c in result.candidates if c["interpreter_id"] not in asked]
    return fresh[:max(1, policy.tier_size)]


def last_offer_at(state: dict) -> datetime | None:
    rounds = state.get("offer_rounds") or []
    return parse_iso(rounds[-1]["at"]) if rounds else None


def escalation_due(state: dict, now: datetime, policy: MatchingPolicy = DEFAULT_POLICY) -> bool:
    """A pending booking offered at least once, whose last offer round got no accept in time."""
    if state.get("status") != "pending" or parse_iso(state["start_at"]) <= now:
        return False
    last = last_offer_at(state)
    return last is not None and now - last >= timedelta(minutes=policy.offer_timeout_minutes)


def flag_due(state: dict, now: datetime, policy: MatchingPolicy = DEFAULT_POLICY) -> bool:
    start = parse_iso(state["start_at"])
    return (state.get("status") == "pending" and not state.get("flagged_unfilled_at")
            and now < start <= now + timedelta(hours=policy.flag_before_hours))


def urgency(state: dict, now: datetime) -> float:
    """Lower is more urgent: hours to the start, less a quarter of the hours it has waited, less six
    hours per declined offer; a booking flagged unfilled comes before all others (sort key)."""
    hours_to_start = (parse_iso(state["start_at"]) - now).total_seconds() / 3600
    waited = max(0.0, (now - parse_iso(state["created_at"])).total_seconds() / 3600) \
        if state.get("created_at") else 0.0
    declines = len(state.get("declined_by") or [])
    return round(hours_to_start - waited / 4 - 6 * declines, 2)
