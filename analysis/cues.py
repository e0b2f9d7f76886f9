# ruff: noqa: E501 - one regular expression per line reads better than wrapped fragments
"""Phrase cues per language: complaints, sarcasm, failure-implying questions, suggestions, questions.

Each cue is a regular expression with a short human-readable name; the criticism tagger
reports the names of the cues it found. Patterns run on the masked, lower-cased text
(``xbrandx`` stands for the company, ``@user`` for other handles).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.fastmatch import Searcher
from collectors.matching import Literals


@dataclass(frozen=True)
class Cue:
    name: str  # readable reason, e.g. "complaint: still waiting"
    pattern: re.Pattern[str]


def _cues(kind: str, items: dict[str, str]) -> list[Cue]:
    return [Cue(f"{kind}: {name}", re.compile(rx)) for name, rx in items.items()]


_N = r"(?:\d+|zwei|drei|vier|fünf|mehreren|two|three|four|five|several)"
# A span of time followed by praise is no wait ("läuft seit drei Wochen gut"; "ohne Probleme" reads "gut" by then,
# see ``analysis.litotes``).
_FINE_SINCE = r"(?! (?:\w+ )?(?:gut|prima|super|problemlos|einwandfrei|zuverlässig|reibungslos|störungsfrei|stabil)\b)"

# A few patterns are written for speed, with the same matches (tests/test_analysis_speed.py checks them against
# their plain forms): "(?<!\w)" for "\b" before a word character keeps an alternative apart, so that its own
# literals decide whether it runs (the regex parser pulls a "\b" shared by "\ba|\bb" in front of both, and then
# the literals of either let both run); a possessive gap, "[^.!?]{0,80}+", where what follows it can only start
# with a character the gap excludes (giving characters back can never help).

COMPLAINT = {
    "en": _cues("complaint", {
        "never arrived": r"\bnever (?:arrived|came|showed up|received|got (?:it|my))",
        "still waiting": r"\bstill (?:waiting|no(?:t| sign| word| reply| response| refund)|hasn't|haven't|isn't|doesn't|can't)",
        "not working": r"\b(?:not|isn't|is not|doesn't|does not|won't|stopped|keeps? not) (?:working|work|load|loading|connect)"
                       r"|\bnot able to\b|\bunable to\b|\bcan'?t (?:log ?in|access|connect|get|reach|use|find)\b",
        "broken or down": r"\b(?:broken|is down|are down|went down|outage|crash(?:ed|es|ing)?|error messages?|glitch)\b",
        "waiting time": rf"\b(?:waiting|waited|on hold|wait) (?:for )?(?:over |more than |almost |nearly )?{_N} "
                        r"(?:min|mins|minutes|hours?|hrs?|days?|weeks?|months?)\b",
        "no answer": r"\bno (?:one|body) (?:answers|replies|responds|is answering|got back)|\bno (?:reply|response|answer)\b"
                     r"|\bignor(?:ed|ing) (?:me|my|us)\b|\bnever (?:got back|replied|responded|heard back)\b",
        "money": r"\b(?:charged (?:me )?twice|double charged|overcharged|refund|hidden fees?|rip[- ]?off|scam)\b",
        "delay or cancellation": r"\b(?:delayed|delay|cancell?ed|late again|missed (?:my|the) (?:flight|train|connection))\b",
        "lost or damaged": r"\b(?:lost|missing|damaged|wrong) (?:my |the |our )?(?:bag|luggage|order|package|parcel|item|"
                           r"delivery|payment|account)\b|\b(?:bag|luggage|order|package|parcel) (?:is |was )?(?:lost|missing|damaged)\b",
        "strong disapproval": r"\b(?:worst|terrible|horrible|awful|unacceptable|ridiculous|disgrace(?:ful)?|pathetic|"
                              r"useless|incompetent|appalling|shocking service|poor service|shameful|fed up|sick of|"
                              r"disappointed|disappointing|frustrat\w+|annoy\w+|rude)\b",
        "leaving": r"\b(?:switch(?:ing)? to|cancel(?:ling)? my|never (?:again|flying|using|buying)|last time i)\b",
        "asking for help": r"\b(?:please|pls|plz) (?:help|fix|sort|respond|reply|look into|get back)|\bhelp me\b|\bsort (?:this|it) out\b",
        "fix demand": r"\b(?:fix (?:this|it|your)|sort it out|do better|get your act together)\b",
        "stopped working": r"\b(?:no longer|stopped|won'?t|wont|didn'?t|did not|doesn'?t|does not|never) (?:work(?:s|ing)?|charg(?:e|es|ing)|load(?:s|ing)?|connect(?:s|ing)?|turn(?:s)? on|change|update|respond)\b",
        "still not done": r"\bstill (?:says|shows|showing|pending|processing|nothing|broken|down|missing|not)\b|\b(?:ordered|paid|booked|reported|emailed|called) (?:\w+ ){0,3}(?:\d+|two|three|four|five|several|many) (?:days?|weeks?|months?|times) ago\b",
        "charged wrongly": r"\bcharged (?:\w+ ){0,5}(?:twice|double|wrong|again)\b|\b(?:wrong|incorrect) (?:charge|amount|bill|item|order|size)\b",
        "problem report": r"\b(?:an? |my |the |order |account |billing |delivery |login )(?:issue|problem)s?\b|\bproblem with\b|\bissues? with\b",
        "arrived wrong": r"\b(?:came|arrived|delivered|showed up) (?:\w+ ){0,2}(?:missing|broken|damaged|late|wrong|without|open(?:ed)?|empty)\b|(?<!\w)missing (?:a|an|the|my|one|two|item|part|piece)\b",
        "waiting on a reply": r"\bwait(?:ing|ed)? (?:on|for) (?:a |my |your |an )?(?:reply|response|answer|refund|call ?back|update|delivery|order|engineer|technician)\b",
        "what is going on": r"\bwhat(?:'s| is| the (?:heck|hell)) (?:going on|happening|wrong)\b|\bwhat the (?:heck|hell|f)\b|\bwtf\b|\bany update on\b|\bupdate me on\b",
        "urgent help": r"\bhelp ?!|\bplease advise\b|\bneed (?:help|assistance|an answer) (?:with|asap|now|urgently)",
        # Added in the second pass (wording read on half of the complaints set; see docs/analysis.md).
        "no word back": r"\b(?:haven'?t|have not|hasn'?t|has not|didn'?t|did not|never) (?:heard|had|got|gotten|received) (?:back|a (?:thing|reply|response|word|call)|anything|any (?:reply|response|word|update|call|email))\b|\bno (?:one|body) (?:from \S+ )?(?:has )?(?:got|gotten|called|contacted|came|come) (?:in touch|back|out)\b|\bno (?:call|callback|email|e-mail|confirmation|update|refund|response|respon\w*|reply|one came)(?: yet| till now| so far| back)?\b",
        "device fault": r"\b(?:not|isn'?t|won'?t|doesn'?t|stopped|keeps?) (?:powering|turning|switching|charging|showing|displaying|syncing|updating|loading|opening|playing|streaming|responding|printing)\b|\b(?:doesn'?t|does not|don'?t|do not|won'?t|will not|can'?t|cannot) (?:display|show|open|play|stream|sync|update|load|print|charge|power)\b",
        "error message": r"\b(?:getting|get|got|gets|receiving|keep getting|keeps? giving|showing|shows) (?:an? |the |this |following |same )*(?:error|errors|issue|issues|problem|problems|message saying)\b|\berror code\b",
        "late or damaged delivery": r"\b(?:days?|weeks?|hours?) late\b|\b(?:smashed|ripped|torn|cracked|dented|stale|cold|soggy|expired|mouldy|moldy|rotten|leaking)\b",
        "not as promised": r"\b(?:supposed to|was told|were told|promised|guaranteed)\b[^.!?]{0,60}\b(?:but|still|now|and|yet|never|not)\b|\bout of stock\b",
        "never received": r"\bnever (?:get|got|received?|receive|gotten|delivered|showed|shows)\b",
        "again": r"\b(?:gone|went|is|are|down|off|out|broken|failed|crashed|cancelled|delayed|late|charged|happening|happened) (?:\w+ )?again\b|(?<!\w)(?:twice|three times|3 times|\d+(?:st|nd|rd|th)? time) (?:in a row|now|this (?:week|month)|today)\b",
        "disappointed question": r"\b(?:what gives|what'?s up with|how come|why (?:is|isn'?t|does|doesn'?t|did|didn'?t|can'?t|won'?t|would|are|aren'?t) (?:this|that|it|my|the|there|you)\b[^?]{0,60}\?|please explain|are you (?:serious|kidding|listening|out of))",
        "unable": r"\b(?:can'?t|cannot|could ?n'?t|unable to|impossible to|not able to|(?:won'?t|doesn'?t|will not|does not) let me) (?:\w+ )?(?:order|pay|log|sign|watch|see|find|access|use|book|check ?in|get|download|install|redeem|cancel|contact|reach|call|track|apply|buy|purchase|return|change|update)\b",
        "wrong item": r"\b(?:sent|gave|given|delivered|received|got) (?:me |us )?(?:a |an |the )?(?:wrong|ripped|broken|damaged|used|faulty|defective|incorrect|different|empty|open(?:ed)?)\b",
        "service criticism": r"\b(?:so|too|very|really|painfully|ridiculously|extremely) (?:slow|expensive|overpriced|unreliable|unhelpful|rude|bad|poor)\b|\b(?:rip(?:ping|ped)? (?:\w+ )?off|ripoff|spam(?:ming)?(?! (?:folder|filter|box|ordner))|hacked|data breach|scammed|misleading|false advertising)\b",
        "account trouble": r"\b(?:my|our) (?:account|order|package|parcel|delivery|card|payment|refund|bill|booking|flight|ticket|phone|internet|wifi|broadband|connection|service)\b[^.!?]{0,50}\b(?:still|not|never|no|isn'?t|wasn'?t|hasn'?t|won'?t|can'?t|didn'?t|cancel\w*|blocked|suspended|locked|declined|stuck|gone|missing|wrong|delayed|lost)\b",
    }),
    "de": _cues("Beschwerde", {
        "kommt nicht an": r"\b(?:nie|nicht|immer noch nicht|noch immer nicht) (?:angekommen|geliefert|erhalten|bekommen|da)\b",
        "warte immer noch": r"\b(?:warte|warten|wartet) (?:immer noch|noch immer|seit)\b|\bimmer noch (?:kein|nicht)",
        "funktioniert nicht": r"\b(?:geht|gehen|funktioniert|funktionieren|klappt|läuft|lädt) (?:schon wieder |wieder |immer noch |"
                              r"seit \w+ |heute |gar |überhaupt )?(?:nicht|nix|nichts)\b|\bnicht erreichbar\b",
        "Störung/Ausfall": r"\b(?:störung|ausfall|ausgefallen|fällt aus|down|kaputt|abgestürzt|stürzt ab|fehlermeldung)\b|\bstürzt (?:\w+ ){1,4}ab\b",
        "Wartezeit": rf"\b(?:seit|über|mehr als) {_N} (?:min|minuten|stunden|std|tagen|wochen|monaten)\b{_FINE_SINCE}"
                     r"|(?<!\w)warteschleife\b",
        "keine Antwort": r"\bkeine (?:antwort|rückmeldung|reaktion)\b|\bniemand (?:antwortet|meldet sich|geht ran)\b"
                         r"|\bmeldet sich (?:keiner|niemand)\b",
        "Geld": r"\b(?:doppelt abgebucht|zu viel abgebucht|abzocke|abgezockt|erstattung|rückerstattung|versteckte kosten|"
                r"nachzahlung)\b",
        "Verspätung": r"\b(?:verspätung|verspätet|zu spät|ausgefallen|fällt aus|zugausfall|verpasst)\b",
        "starke Ablehnung": r"\b(?:frechheit|unverschämt\w*|zumutung|katastroph\w*|skandal\w*|unfähig\w*|inkompetent\w*|"
                            r"unzumutbar\w*|enttäusch\w*|ärgerlich|peinlich|schlechteste\w*|miserabel\w*|lächerlich)\b",
        "Kündigung": r"\b(?:kündige|kündigen|gekündigt|wechsle|wechseln zu|nie wieder)\b",
        "geht nicht mehr": r"\b(?:geht|funktioniert|klappt|lädt|läuft) (?:\w+ ){0,2}nicht mehr\b|\bnicht mehr (?:erreichbar|möglich|lieferbar)\b",
        "falsch abgerechnet": r"\b(?:falsch|doppelt|zu viel) (?:abgerechnet|berechnet|abgebucht|geliefert)\b|\bfalsche (?:rechnung|lieferung|abrechnung|ware)\b",
        "Problem gemeldet": r"\b(?:problem|probleme|ärger|stress) mit\b|(?<!\w)seit (?:\w+ ){0,2}(?:tagen|wochen|monaten|stunden)\b"
                            + _FINE_SINCE,
        "Bitte um Hilfe": r"\b(?:bitte|könnt ihr|können sie) (?:helfen|hilfe|um hilfe|das prüfen|nachsehen|melden|beheben)\b"
                          r"|\bhilfe!|\bwas ist (?:da )?los\b",
    }),
}

SARCASM = {
    "en": _cues("sarcasm", {
        "thanks for the trouble": r"\b(?:thanks?|thank you|great|love|cheers)(?: so much| again| a lot)? for (?:the |nothing|"
                                  r"another |yet another |making|ruining|losing|cancell?ing|delaying|charging|wasting)"
                                  r"(?:\S+\s+){0,3}?\S*?(?:delay|wait|nothing|hours?|cancell?ation|fees?|outage|"
                                  r"mess|nothing|ruin\w*|los\w+|wast\w+)",
        "great job": r"\b(?:great|nice|good|well done|fantastic|brilliant) (?:job|work|service)\b.{0,40}"
                     r"(?:not|never|again|still|delay|wait|lost|cancel)",
        "yeah right": r"\b(?:yeah right|oh great|just great|what a surprise|as usual|love (?:waiting|being)|#fail|#not)\b",
        "thanks for ruining": r"\b(?:thanks?|thank you|thx|tks)(?: so much| again| a lot)? for (?:ruining|wasting|losing|cancell?ing|delaying|nothing|sending me|doing nothing|making me wait|the (?:delay|wait|outage|mess))\b",
        "praise after bad news": r"\b(?:prices? (?:up|rise|rising|increase|hike)|price (?:increase|hike)|(?:goes|going|went) up by|raising (?:prices|rates)|hik(?:e|es|ing) (?:the )?prices|more expensive|on hold|down again|delayed|cancell?ed)\b[^.!?]{0,80}+[.!?]+\s*(?:brilliant|great|wonderful|fantastic|perfect|lovely|awesome|marvellous|splendid|amazing|just great)\s*(?:[.!]+|$)",
        "nice work, broken": r"\b(?:nice|great|good|awesome|brilliant|well done|wow)\b[^.!?]{0,5}(?:work|job|service)?\W{0,5}[^.!?]{0,50}\b(?:late|smashed|broken|damaged|wrong|lost|cancell?ed|delayed|missing)\b",
    }),
    "de": _cues("Ironie", {
        "danke für nichts": r"\b(?:danke|vielen dank|super|toll)(?: auch| mal wieder| wieder)? für (?:nichts|die "
                            r"(?:verspätung|störung|wartezeit|stunden)|den (?:ausfall|ärger)|das (?:chaos|warten))",
        "toll gemacht": r"\b(?:toll|super|klasse|großartig|prima) (?:gemacht|gelöst|service|organisiert)\b.{0,40}"
                        r"(?:nicht|nie|wieder|immer noch|verspät|warte)",
        "Lob nach schlechter Nachricht": r"\b(?:preise? (?:steigen|steigt|erhöht|rauf)|preiserhöhung|teurer|erhöht (?:die |den )?(?:preise?|abschlag|grundgebühr)|verspät\w*|ausgefallen|störung)\b[^.!?]{0,80}+[.!?]+\s*(?:toll|super|klasse|prima|großartig|wunderbar|spitze|herrlich)\s*(?:[.!]+|$)",
        "mal wieder": r"\b(?:wie immer|mal wieder|wer hätte das gedacht|läuft bei euch|#fail|na super|na toll|na klasse)\b",
    }),
}

FAILURE_QUESTION = {
    "en": _cues("question implying a failure", {
        "why still/not": r"\bwhy (?:is|are|does|do|can't|won't|isn't|aren't|doesn't|don't|haven't|hasn't|did)\b[^?]{0,80}"
                         r"(?:still|not|never|again|down|broken|late|charged|cancel)",
        "when fixed": r"\bwhen (?:will|is|are)\b[^?]{0,60}(?:fixed|back|working|resolved|refund|arrive|sorted)",
        "is it down": r"\b(?:is|are) (?:\S+ ){0,3}(?:down|broken|not working)\s*\?",
        "how long": r"\bhow (?:long|much longer|many more (?:days|hours))\b",
        "why my data": r"\bwhy (?:does|do|is|are|would|should)\b[^?]{0,60}(?:access to|permission|track(?:ers?|ing)?|my contacts|my location|shar(?:e|es|ing) my|sell(?:s|ing)? my)",
    }),
    "de": _cues("Frage mit Fehlerhinweis", {
        "warum nicht/immer noch": r"\b(?:warum|wieso|weshalb)\b[^?]{0,80}(?:nicht|immer noch|schon wieder|kein|nie|down|kaputt)",
        "wann behoben": r"\bwann\b[^?]{0,60}(?:behoben|wieder|endlich|erstattet|repariert|geht)",
        "ist es down": r"\b(?:ist|sind) (?:\S+ ){0,3}(?:down|kaputt|gestört)\s*\?|\bgeht (?:bei )?(?:euch|ihnen|noch jemandem)\b",
        "wie lange noch": r"\bwie lange (?:noch|dauert|soll)\b",
        "warum meine Daten": r"\b(?:warum|wieso|weshalb)\b[^?]{0,60}(?:zugriff|berechtigung|meine kontakte|meinen standort|tracker|weitergegeben|weitergeben|verkauft|verkaufen)",
    }),
}

SUGGESTION = {
    "en": re.compile(r"\b(?:you should|should (?:add|offer|make|have|allow)|would be (?:nice|great|good|cool|helpful)|"
                     r"please (?:add|bring|consider|make|offer)|it would help|i wish|feature request|suggestion|"
                     r"why not (?:add|offer|make)|how about|could you (?:add|offer|make))\b", re.IGNORECASE),
    "de": re.compile(r"\b(?:ihr solltet|sollte(?:t|n)? (?:mal|endlich|lieber)|wäre (?:schön|toll|gut|super|cool|hilfreich|"
                     r"praktisch)|bitte (?:baut|fügt|macht|bietet|führt)|ich wünsche mir|wünsche mir|vorschlag|"
                     r"wie wäre es|warum nicht|könntet ihr (?:mal|nicht))\b", re.IGNORECASE),
}

QUESTION = {
    "en": re.compile(r"^\W*(?:@user\s+)*(?:how|what|when|where|who|which|why|does|do|is|are|can|could|will|would|"
                     r"anyone|any ?one|has|have)\b|\b(?:anyone know|any idea|does anyone)\b", re.IGNORECASE),
    "de": re.compile(r"^\W*(?:@user\s+)*(?:wie|was|wann|wo|wer|welche\w*|warum|wieso|weshalb|gibt es|kann|können|"
                     r"könnt|hat|habt|ist|sind|weiß|wisst)\b|\b(?:weiß jemand|weiss jemand|hat jemand)\b", re.IGNORECASE),
}


# A how-to question asks for information ("how do I cancel?", "wie kündige ich?"). When it opens the post (no
# sentence before it: no problem told first) and no complaint is in it, neither the words of leaving nor
# negative sentiment make it criticism (the intent stays "question").
HOW_TO = {
    "en": re.compile(r"\b(?:how (?:do|can|could|should|would) (?:i|we|one)|how do you|how to|where (?:do|can|could|should) "
                     r"(?:i|we)|is (?:it|there) (?:possible|a way)|what(?:'s| is) the (?:best |easiest |right )?"
                     r"(?:way|process) to|who (?:do|should|can) i (?:contact|call|ask|talk to))\b"),
    "de": re.compile(r"\b(?:wie (?:kann|könnte|muss|soll|sollte) (?:ich|man|wir)|wie (?:kündige|wechsle|melde|ändere|"
                     r"beantrage|finde|bekomme|erreiche) ich|wo (?:kann|finde|bekomme|melde) (?:ich|man)|ist es möglich|"
                     r"gibt es (?:eine )?möglichkeit|an wen (?:kann|muss|soll) ich)\b"),
}
# Cues that only say someone leaves or cancels: a how-to question with just these is not criticism.
LEAVING = frozenset({"complaint: leaving", "Beschwerde: Kündigung"})

# Someone speaking as a customer or to the company: first or second person, or a negation ("not", "nie").
# Negativity with none of these and no company name reads like news or commentary, not like criticism.
SPEAKER = {
    "en": re.compile(r"\b(?:i|i'm|i've|i'd|i'll|me|my|mine|we|we're|we've|us|our|you|your|you're|yours|u|ur|"
                     r"not|no|never|nothing|cannot)\b|n't\b"),
    "de": re.compile(r"\b(?:ich|mich|mir|mein\w*|wir|uns|unser\w*|du|dich|dir|dein\w*|ihr|euch|euer|eure\w*|"
                     r"sie|ihnen|ihre?\w*|nicht|kein\w*|nie|nichts)\b"),
}

def required(pattern: str) -> frozenset[str] | None:
    """Literal strings of which every match of ``pattern`` contains at least one, or None if there are none
    (worked out from the parsed pattern: a sequence needs each of its parts, an alternation one of its
    branches, a repeat with minimum 0 nothing)."""
    from re import _constants as c
    from re import _parser

    def seq(items: list) -> frozenset[str] | None:
        best: frozenset[str] | None = None
        run = ""
        candidates: list[frozenset[str]] = []
        for op, av in items:
            if op is c.LITERAL:
                run += chr(av)
                continue
            if run:
                candidates.append(frozenset([run]))
                run = ""
            if op is c.SUBPATTERN:
                sub = seq(list(av[-1]))
            elif op is c.BRANCH:
                parts = [seq(list(b)) for b in av[1]]
                sub = None if any(x is None for x in parts) else frozenset().union(*parts)  # type: ignore[arg-type]
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
                sub = seq(list(av[2]))
            else:
                sub = None
            if sub:
                candidates.append(sub)
        if run:
            candidates.append(frozenset([run]))
        for cand in candidates:  # the set whose shortest string is longest is the most selective
            if best is None or min(map(len, cand)) > min(map(len, best)):
                best = cand
        return best

    found = seq(list(_parser.parse(pattern)))
    return found if found and min(map(len, found)) >= 3 else None


class CueSet:
    """Cue lists prepared for many texts; ``find`` gives exactly the names of the cues whose regular
    expressions occur in a text (in list order), as running every cue would.

    Each cue is a ``fastmatch.Searcher``: it runs only where the literal strings it requires occur, and in a
    form the regex engine searches faster. One ``scan`` of the text finds those literals for every cue of
    every list at once; pass its result to ``find``/``any`` to share it between them."""

    def __init__(self, lists: tuple[list, ...]) -> None:
        self.lists = lists
        self.names = [[c.name if isinstance(c, Cue) else c.pattern for c in items] for items in lists]
        self.searchers = [[Searcher(c.pattern if isinstance(c, Cue) else c) for c in items] for items in lists]
        self.literals = Literals({w for row in self.searchers for s in row for w in s.scanned()})
        # Every cue of every list numbered in order: which cues a literal may let through, and per list the
        # cues that run whatever the literals (and those that do unless the text is plain lower case).
        flat = [(k, name, s) for k, row in enumerate(self.searchers) for name, s in zip(self.names[k], row, strict=True)]
        self._list = [k for k, _, _ in flat]
        self._name = [name for _, name, _ in flat]
        self._search = [s.search for _, _, s in flat]
        touch: dict[str, list[int]] = {}
        for g, (_, _, s) in enumerate(flat):
            for w in s.literals():
                touch.setdefault(w, []).append(g)
        self._touch = {w: tuple(touch.get(w, ())) for w in self.literals.words}  # every literal scanned for
        self._known: dict[frozenset[str], frozenset[int]] = {}  # the literals found in a text -> the cues they let through
        self._ungated = [tuple(g for g, (k2, _, s) in enumerate(flat) if k2 == k and not s.gated)
                         for k in range(len(lists))]
        self._twins = [tuple(g for g, (k2, _, s) in enumerate(flat) if k2 == k and s.twin is not None)
                       for k in range(len(lists))]
        self._of_lists: dict[tuple[int, ...], tuple[frozenset[int], frozenset[int], frozenset[int], dict[int, int]]] = {}
        # For ``any``, per list and for plain and other text: the cues that run whatever the literals, and the rest.
        self._always: list[tuple[frozenset[int], frozenset[int]]] = []
        self._gated: list[tuple[frozenset[int], frozenset[int]]] = []
        for k in range(len(lists)):
            members = frozenset(g for g, k2 in enumerate(self._list) if k2 == k)
            always = (frozenset(self._ungated[k]), frozenset(self._ungated[k] + self._twins[k]))
            self._always.append(always)
            self._gated.append((members - always[0], members - always[1]))
        fixes = "".join({s.fixes.pattern[1:-1] for _, _, s in flat if s.twin is not None and s.fixes is not None})
        self._fixes = re.compile(f"[{fixes}]") if fixes else None

    def scan(self, text: str) -> Scan:
        """One pass over ``text``: what ``find_lists`` and ``any`` need to know about it."""
        return Scan(text, frozenset(self.literals.present(text)), self._fixes)

    def _touched(self, scan: Scan) -> frozenset[int]:
        """The cues, of every list, that a literal found in the text lets through (worked out once per scan)."""
        touched = scan.touched
        if touched is None:
            present = scan.present
            touched = self._known.get(present)  # texts share few combinations of literals
            if touched is None:
                if len(self._known) >= 50_000:
                    self._known.clear()
                touched = self._known[present] = frozenset().union(*map(self._touch.__getitem__, present))
            scan.touched = touched
        return touched

    def _of(self, which: tuple[int, ...]) -> tuple[frozenset[int], frozenset[int], frozenset[int], dict[int, int]]:
        """For the lists ``which`` (kept): their cues, those that run whatever the literals, those with a
        case-insensitive pattern, and the position in ``which`` of each cue's list."""
        found = self._of_lists.get(which)
        if found is None:
            members = frozenset(g for g, k in enumerate(self._list) if k in which)
            found = self._of_lists[which] = (
                members,
                frozenset(g for k in which for g in self._ungated[k]),
                frozenset(g for k in which for g in self._twins[k]),
                {g: which.index(self._list[g]) for g in members},
            )
        return found

    def _candidates(self, scan: Scan, which: tuple[int, ...]) -> list[int]:
        """Numbers of the cues of the lists ``which`` that must run on the text, in order."""
        members, ungated, twins, _ = self._of(which)
        out = self._touched(scan) & members | ungated
        if twins and not scan.plain:
            out |= twins  # their case-sensitive forms do not apply: the patterns run as they are
        return sorted(out)

    def find_lists(self, scan: Scan, which: tuple[int, ...]) -> list[list[str]]:
        """Names of the cues found in the scanned text, for each list in ``which``."""
        slot = self._of(which)[3]
        out: list[list[str]] = [[] for _ in which]
        names, search = self._name, self._search
        text, present = scan.text, scan.present
        plain = scan.plain if self._of_lists[which][2] else None
        for g in self._candidates(scan, which):
            if search[g](text, present, plain):
                out[slot[g]].append(names[g])
        return out

    def find(self, text: str, which: int = 0) -> list[str]:
        """Names of the cues of list ``which`` that occur in ``text``."""
        return self.find_lists(self.scan(text), (which,))[0]

    def any(self, scan: Scan, which: int) -> bool:
        """Whether any cue (or pattern) of list ``which`` occurs in the scanned text."""
        search = self._search
        text, present, plain = scan.text, scan.present, scan.plain
        form = 0 if plain else 1  # the cues of ``_candidates``, in any order
        for g in self._always[which][form]:
            if search[g](text, present, plain):
                return True
        for g in self._touched(scan) & self._gated[which][form]:
            if search[g](text, present, plain):
                return True
        return False


class Scan:
    """What one pass over a text found: the literals the cues require that occur in it, and (worked out when
    first needed) whether it is plain lower case, where case-insensitive cues may run case-sensitively."""

    __slots__ = ("text", "present", "touched", "_fixes", "_plain")

    def __init__(self, text: str, present: frozenset[str], fixes: re.Pattern[str] | None) -> None:
        self.text = text
        self.present = present
        self.touched: frozenset[int] | None = None  # kept by ``CueSet._candidates``
        self._fixes = fixes
        self._plain: bool | None = None

    @property
    def plain(self) -> bool:
        if self._plain is None:
            self._plain = self.text.lower() == self.text and (self._fixes is None or not self._fixes.search(self.text))
        return self._plain


_SETS: dict[tuple[int, ...], tuple[tuple[list, ...], CueSet]] = {}


def cue_set(*lists: list) -> CueSet:
    """The (cached) ``CueSet`` of some lists of cues or compiled patterns."""
    key = tuple(map(id, lists))
    hit = _SETS.get(key)
    if hit is None or any(a is not b for a, b in zip(hit[0], lists, strict=True)):
        hit = (lists, CueSet(lists))
        _SETS[key] = hit
    return hit[1]


TABLES = (COMPLAINT, SARCASM, FAILURE_QUESTION, SUGGESTION, QUESTION)  # the lists of ``scanner``, in order
CRITICISM_LISTS = (0, 1, 2)  # their positions in ``scanner``
SUGGESTION_LIST, QUESTION_LIST = 3, 4
_SCANNERS: dict[str, CueSet] = {}


def scanner(lang: str) -> CueSet:
    """One ``CueSet`` over every table of a language (see ``for_lang``), in ``TABLES`` order: one scan per
    text serves the criticism and the intent tagger."""
    found = _SCANNERS.get(lang)
    if found is None:
        found = _SCANNERS[lang] = cue_set(*(for_lang(table, lang) for table in TABLES))
    return found


def found(cues: list[Cue], text: str) -> list[str]:
    """Names of the cues that occur in ``text`` (in list order); see ``CueSet``."""
    return cue_set(cues).find(text)


def for_lang(table: dict, lang: str) -> list:
    """The cues (or patterns, as a list) of a language; for "other" or an unknown language, those of every language."""
    key = (id(table), lang if lang in table else "*")
    if key not in _FOR_LANG:  # cached, so that the same list (and its quick test) is used every time
        if lang in table:
            items = table[lang]
            _FOR_LANG[key] = items if isinstance(items, list) else [items]
        else:
            out: list = []
            for items in table.values():
                out.extend(items if isinstance(items, list) else [items])
            _FOR_LANG[key] = out
    return _FOR_LANG[key]


_FOR_LANG: dict[tuple[int, str], list] = {}
