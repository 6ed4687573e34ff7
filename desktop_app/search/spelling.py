"""British spellings folded to American ones, so ``haematopoietic`` and ``hematopoietic`` index alike.

Applied to lower-cased, accent-folded words before stemming, at indexing and
at query time alike, so the only risk is merging two different words: the
rules are suffix and prefix rewrites with short exception lists, the table
holds the irregular pairs.  Porter stemming already merges ``modelling`` and
``modeling`` (``-ll-`` before a suffix), so those need no rule.
"""

from __future__ import annotations

import re

# Irregular pairs (and forms the rules below would get wrong).
_TABLE = {
    "grey": "gray", "greys": "grays",
    "programme": "program", "programmes": "programs",
    "ageing": "aging", "judgement": "judgment", "judgements": "judgments",
    "acknowledgement": "acknowledgment", "acknowledgements": "acknowledgments",
    "defence": "defense", "defences": "defenses", "offence": "offense", "offences": "offenses",
    "licence": "license", "licences": "licenses", "pretence": "pretense",
    "aluminium": "aluminum", "sulphur": "sulfur", "sulphate": "sulfate",
    "mould": "mold", "moulds": "molds", "plough": "plow", "draught": "draft",
    "cheque": "check", "storey": "story", "tyre": "tire", "tyres": "tires",
    "whilst": "while", "amongst": "among", "enrol": "enroll", "enrolment": "enrollment",
    "fulfil": "fulfill", "fulfilment": "fulfillment", "skilful": "skillful",
    "manoeuvre": "maneuver", "manoeuvres": "maneuvers",
}

# -our words whose American form drops the u (not four, hour, tour, pour, contour, ...).
_OUR = re.compile(
    r"^(colo|flavo|behavio|neighbo|favo|hono|labo|harbo|humo|rumo|vapo|vigo|armo|odo|tumo|"
    r"savo|endeavo|rigo|clamo|splendo|valo|parlo|fervo|savio|cando|demeano|ardo)ur"
)
# -re words whose American form ends in -er: centre, fibre, theatre, litre, kilometre, ...
_RE = re.compile(r"^(cent|fib|theat|lit|calib|spect|lust|meag|somb|sab|[a-z]*met)re(s|d)?$")
# -ise/-yse verbs and their forms: optimise, organisation, analysed, paralysing.
_ISE = re.compile(r"^([a-z]{3,})(i|y)s(e|ed|es|ing|er|ers|ation|ations|able)$")
_NOT_ISE = frozenset({
    "advise", "advised", "advises", "advising", "adviser", "advisers", "devise", "devised", "devises",
    "devising", "revise", "revised", "revises", "revising", "supervise", "supervised", "supervises",
    "supervising", "superviser", "comprise", "comprised", "comprises", "comprising", "compromise",
    "compromised", "compromises", "compromising", "enterprise", "enterprises", "surprise", "surprised",
    "surprises", "surprising", "expertise", "premise", "premises", "promise", "promised", "promises",
    "promising", "exercise", "exercised", "exercises", "exercising", "precise", "concise", "franchise",
    "disguise", "disguised", "merchandise", "televise", "televised", "improvise", "improvised",
    "improvising", "excise", "incise", "incised", "circumcise", "chastise", "despise", "despised",
    "otherwise", "clockwise", "likewise", "paradise", "noise", "noises", "raise", "raised", "raises",
    "raising", "praise", "praised", "arise", "arises", "arising", "demise", "reprise", "treatise",
    "cruise", "bruise", "poise", "poised", "appraise", "appraised", "appraising", "mortise", "porpoise",
    "tortoise", "turquoise", "anise", "valise", "concisely", "wise", "rise", "rises", "rising", "risen",
})
# Greek-derived ae/oe spellings: haematopoietic, anaemia, oesophagus, foetal, paediatric, oedema.
_DIGRAPHS = (
    (re.compile(r"haem"), "hem"), (re.compile(r"aemi(a|c)"), r"emi\1"), (re.compile(r"^paed"), "ped"),
    (re.compile(r"paedic"), "pedic"), (re.compile(r"^(an)?aesth"), r"\1esth"), (re.compile(r"^oedem"), "edem"),
    (re.compile(r"^oesoph"), "esoph"), (re.compile(r"^oestr"), "estr"), (re.compile(r"^foet"), "fet"),
    (re.compile(r"^aetiol"), "etiol"), (re.compile(r"gynaec"), "gynec"), (re.compile(r"^coeli"), "celi"),
    (re.compile(r"(rrh|pn)oea$"), r"\1ea"), (re.compile(r"^leukaem"), "leukem"),
    (re.compile(r"^encyclopaed"), "encycloped"),
)
# catalogue, dialogue, analogue (but not vogue, rogue, league).
_OGUE = re.compile(r"^([a-z]{3,}log)ue(s|d)?$")


def americanise(word: str) -> str:
    """The American spelling of a lower-case word (the word itself when it has none)."""
    if len(word) < 4 or not word.isalpha():
        return word
    mapped = _TABLE.get(word)
    if mapped is not None:
        return mapped
    if "our" in word:
        word = _OUR.sub(r"\1r", word)
    if word.endswith(("re", "res", "red")):
        word = _RE.sub(lambda m: m.group(1) + "er" + {"d": "ed"}.get(m.group(2) or "", m.group(2) or ""), word)
    if "s" in word and word not in _NOT_ISE:
        word = _ISE.sub(r"\1\2z\3", word)
    if "ae" in word or "oe" in word:
        for pattern, replacement in _DIGRAPHS:
            word = pattern.sub(replacement, word)
    if word.endswith(("ogue", "ogues", "ogued")):
        word = _OGUE.sub(r"\1\2", word)
    return word
