"""The demo's readers and the discussion they have under the seed article, step by step.

Written for this project: a civil argument about 1917 with sources, corrections and one heated
moment, so that a newcomer who runs ``make run`` sees every part of a thread at work (a deep
branch, an edit, a deletion with replies, a moderator's note, a report, votes, a held comment).
Only data here; ``forum.demo.loader`` carries the steps out through the services.
"""

from __future__ import annotations

from dataclasses import dataclass

from forum.accounts.models import Role
from forum.moderation.models import Violation

PASSWORD = "reading-room-1917"  # noqa: S105 (the demo's, printed for anyone to use)
"""Every demo account's password (printed by ``forum demo``; refused over https)."""

EMAIL_DOMAIN = "demo.example.org"


@dataclass(frozen=True)
class Reader:
    username: str
    display_name: str
    about: str
    role: Role = Role.READER
    trusted: bool = True
    """Regulars skip pre-moderation; a newcomer's first comment waits in the queue."""


READERS = (
    Reader("janine", "Janine", "wrote the article"),
    Reader("ruth", "Ruth", "moderator", role=Role.MODERATOR),
    Reader("tomasz", "Tomasz", "a historian who cites his sources"),
    Reader("priya", "Priya", "asks what the words mean"),
    Reader("marcus", "Marcus", "a trade unionist"),
    Reader("aoife", "Aoife", "a student reading Luxemburg"),
    Reader("dmitri", "Dmitri", "has family history in it"),
    Reader("leila", "Leila", "an economist"),
    Reader("kit", "Kit", "new here: the first comment waits for a moderator", trusted=False),
)
MODERATOR = "ruth"


@dataclass(frozen=True)
class Post:
    key: str
    author: str
    body: str
    reply_to: str | None = None
    minutes: int = 20
    """Minutes after the step before: the story's clock (see ``forum.demo.loader``)."""


@dataclass(frozen=True)
class Edit:
    key: str
    body: str
    minutes: int = 6


@dataclass(frozen=True)
class Delete:
    key: str
    minutes: int = 30


@dataclass(frozen=True)
class Report:
    key: str
    reporter: str
    reason: Violation
    note: str
    minutes: int = 4


@dataclass(frozen=True)
class Votes:
    """Up votes from ``voters`` (the site has down votes only when an operator turns them on)."""

    key: str
    voters: tuple[str, ...]
    minutes: int = 15


Step = Post | Edit | Delete | Report | Votes

_OCTOBER = (
    Post(
        "october",
        "tomasz",
        "Whether October was a revolution or a coup is mostly a question of *which body* you "
        "look at. The Second Congress of Soviets met on 25 October with the Bolsheviks as the "
        "largest group and, together with the Left SRs, a majority. The insurrection was timed "
        "to hand it power. That is not what a coup against the soviets looks like.",
        minutes=0,
    ),
    Post(
        "assembly",
        "priya",
        "But the soviets were not the only elected body. The Constituent Assembly elections in "
        "November gave the SRs about 40 % and the Bolsheviks about 24 %. The Assembly met once, "
        "in January 1918, and was dispersed the next day. Doesn't that count against the "
        "article's line that *the Bolsheviks were democrats*?",
        reply_to="october",
    ),
    Post(
        "lists",
        "tomasz",
        "It counts, and it should be argued rather than waved away. Two things, though: the SR "
        "lists were drawn up before the party split, so many votes for 'the SRs' were votes "
        "for people who by then sat with the Bolsheviks; and in the cities and on the northern "
        "and western fronts the Bolsheviks won outright.",
        reply_to="assembly",
    ),
    Post(
        "fair-point",
        "priya",
        "The point about the lists is fair. Still, *an election whose lists are out of date* is "
        "a reason for a new election, not for no election at all.",
        reply_to="lists",
    ),
    Post(
        "janine-aside",
        "janine",
        "I'll own that sentence in the piece. When I wrote *democrats* I had the soviets in mind "
        "— delegates who could be recalled by the people who sent them — not a parliament. "
        "Whether the two could have lived side by side is exactly the question I should have "
        "asked, rather than answered.",
        reply_to="fair-point",
    ),
    Post(
        "luxemburg",
        "aoife",
        "Rosa Luxemburg made Priya's point in 1918, from prison, while defending the "
        "revolution:\n\n"
        "> Freedom only for the supporters of the government, only for the members of one "
        "party — however numerous they may be — is no freedom at all.\n\n"
        "She wanted new elections, not the old Assembly back.",
        reply_to="janine-aside",
    ),
    Post(
        "both-halves",
        "tomasz",
        "And in the same pamphlet she wrote that the Bolsheviks were the only ones who *dared*. "
        "Both halves are hers; people tend to quote one. The text is short and worth reading "
        "whole: <https://www.marxists.org/archive/luxemburg/1918/russian-rev/>",
        reply_to="luxemburg",
    ),
    Post(
        "why-both",
        "priya",
        "Which is why I trust her more than either side's summary of her. She could hold *they "
        "were right to take power* and *they are wrong to rule like this* in one head.",
        reply_to="both-halves",
    ),
    Post(
        "union-view",
        "marcus",
        "From a union branch the same tension looks very ordinary. A strike committee that "
        "stops answering to the meeting that elected it stops being a strike committee, "
        "however good its reasons. The factory committees of 1917 learned that faster than "
        "anyone.",
        reply_to="why-both",
    ),
    Post(
        "bread",
        "leila",
        "And the reasons were not small. By the spring of 1918 Petrograd's bread ration was a "
        "fraction of what it had been, and the factories were emptying as workers went back to "
        "their villages to eat. The class that the soviets spoke for was shrinking under them.",
        reply_to="union-view",
    ),
    Post(
        "circumstances",
        "priya",
        "That I accept. I just want *circumstances* to explain what happened, not to excuse it "
        "in advance for every revolution that comes after.",
        reply_to="bread",
    ),
    Post(
        "agree-differ",
        "tomasz",
        "Then we mostly agree, and disagree about the weight of one year. For anyone following "
        "along: Rabinowitch's *The Bolsheviks Come to Power* on 1917 in Petrograd, and S. A. "
        "Smith's *Russia in Revolution* for the longer view.",
        reply_to="circumstances",
    ),
    Post(
        "thanks",
        "aoife",
        "Thank you all — this branch is better than my seminar reading list. Adding both.",
        reply_to="agree-differ",
    ),
)

_SOURCES = (
    Post(
        "six-hundred-laws",
        "dmitri",
        "My great-grandmother grew up in the Pale of Settlement, so the line about the laws "
        "against Jews caught my eye. As far as I know the restrictions were abolished by the "
        "*Provisional* Government, in March 1917, months before October. Does anyone have a "
        "source for the Bolsheviks doing it?",
        minutes=600,
    ),
    Post(
        "march-decree",
        "tomasz",
        "Dmitri is right: the decree of 20 March 1917 abolished the religious and national "
        "restrictions. What the Soviet government added in November was the Declaration of "
        "the Rights of the Peoples of Russia, which is a different thing.",
        reply_to="six-hundred-laws",
    ),
    Post(
        "correction",
        "janine",
        "Thank you both, that is a fair correction and I should have checked it. I'll leave the "
        "article as it was published in 2003, and this thread can stand as its footnote.",
        reply_to="march-decree",
    ),
    Post(
        "pogroms",
        "dmitri",
        "Much appreciated. For what it's worth, the family story is the civil war years: the "
        "pogroms of 1919 came from several armies, and the Red Army is the one my "
        "great-grandmother said had orders against them.",
        reply_to="correction",
    ),
)

_ONE_COUNTRY = (
    Post(
        "one-country",
        "leila",
        "The paragraph on *socialism in one country* is the economist's part of the story. The "
        "phrase was Stalin's, from 1928, and it turned a hope about Germany into a plan for "
        "industrialising Russia on its own, paid for by the countryside.",
        minutes=840,
    ),
    Post(
        "date-check",
        "tomasz",
        "Small thing: the phrase is older than that. Stalin put it forward in late 1924, with "
        "Bukharin's support; 1928 is when the first five-year plan began.",
        reply_to="one-country",
    ),
    Edit(
        "one-country",
        "The paragraph on *socialism in one country* is the economist's part of the story. The "
        "phrase was Stalin's, from late 1924, and within a few years it turned a hope about "
        "Germany into a plan for industrialising Russia on its own, paid for by the "
        "countryside.\n\n"
        "*Edited: the phrase dates from 1924, not 1928 — thanks, @tomasz.*",
    ),
    Post(
        "isolation",
        "marcus",
        "Which fits the article's last line better than its defenders usually admit: the plan "
        "only made sense once everyone had stopped expecting help from abroad.",
        reply_to="one-country",
    ),
)

_KRONSTADT = (
    Post(
        "kronstadt",
        "marcus",
        "Kronstadt, 1921, is where it ends for me: sailors who had been the heart of 1917 "
        "asking for free soviet elections, and answered with an assault across the ice.",
        minutes=480,
    ),
    Post(
        "not-1917",
        "aoife",
        "I'd still separate 1921 from 1917, though. The article's question is how the one "
        "turned into the other, and Kronstadt is one of the steps, not the starting point.",
        reply_to="kronstadt",
    ),
    Post(
        "ban-on-factions",
        "tomasz",
        "The same month the party congress banned factions, 'temporarily'. If I had to pick one "
        "week when the door closed, it would be that one.",
        reply_to="kronstadt",
    ),
    Delete("kronstadt"),
    Post(
        "kronstadt-again",
        "marcus",
        "I took my comment on Kronstadt down because it read as if I was ending the "
        "conversation rather than joining it. Aoife and Tomasz put it better below it: a step, "
        "and a week when a door closed.",
        minutes=15,
    ),
)

_HEATED = (
    Post(
        "apologists",
        "dmitri",
        "Honestly, anyone who can still write *the Bolsheviks were democrats* after the Cheka "
        "is an apologist, and I'm tired of pretending otherwise.",
        minutes=420,
    ),
    Report(
        "apologists",
        "marcus",
        Violation.ABUSE,
        "Calls the author names instead of answering her argument.",
    ),
    Post(
        "moderator-note",
        "ruth",
        "**Moderator's note.** The thread is in good shape because people have argued with "
        "sources and corrected each other kindly. Please keep it that way: criticise the "
        "argument, not the person. Dmitri, your point about the Cheka is a fair one to make; "
        "make it without the label. Reports come to the moderators and we read every one.",
        reply_to="apologists",
        minutes=25,
    ),
    Post(
        "rephrased",
        "dmitri",
        "Fair enough, Ruth. Put properly: the Cheka was founded in December 1917, weeks after "
        "October, and I don't see how a democratic reading of the revolution deals with that.",
        reply_to="moderator-note",
        minutes=10,
    ),
    Post(
        "cheka-answer",
        "janine",
        "That is the right question, and I don't have a tidy answer to it. It's a better "
        "question than the one my article asked.",
        reply_to="rephrased",
    ),
)

_VOTES = (
    Votes("october", ("priya", "aoife", "leila", "janine", "marcus", "dmitri")),
    Votes("lists", ("aoife", "marcus", "leila")),
    Votes("fair-point", ("tomasz", "janine", "dmitri")),
    Votes("janine-aside", ("priya", "tomasz", "aoife", "ruth")),
    Votes("luxemburg", ("tomasz", "priya", "janine", "marcus", "leila", "dmitri", "ruth")),
    Votes("both-halves", ("aoife", "priya", "leila")),
    Votes("union-view", ("leila", "aoife")),
    Votes("agree-differ", ("aoife", "priya", "marcus")),
    Votes("six-hundred-laws", ("tomasz", "janine", "aoife", "priya")),
    Votes("march-decree", ("dmitri", "janine", "priya", "aoife", "leila")),
    Votes("correction", ("dmitri", "tomasz", "priya", "marcus", "leila", "aoife", "ruth")),
    Votes("one-country", ("marcus", "priya")),
    Votes("date-check", ("leila", "priya", "aoife")),
    Votes("not-1917", ("tomasz", "janine", "priya")),
    Votes("ban-on-factions", ("aoife", "leila")),
    Votes("kronstadt-again", ("aoife", "tomasz", "janine", "ruth")),
    Votes("moderator-note", ("janine", "marcus", "priya", "aoife", "tomasz", "leila")),
    Votes("rephrased", ("janine", "ruth", "priya", "tomasz")),
    Votes("cheka-answer", ("dmitri", "priya", "aoife")),
)

_NEWCOMER = (
    Post(
        "first-question",
        "kit",
        "First time here. Is there a short introduction to 1917 for someone who knows almost "
        "nothing? I've heard of John Reed's *Ten Days That Shook the World* but I gather it "
        "isn't exactly neutral.",
        minutes=900,
    ),
)

STEPS: tuple[Step, ...] = (
    _OCTOBER + _SOURCES + _ONE_COUNTRY + _KRONSTADT + _HEATED + _VOTES + _NEWCOMER
)
"""In the order they happen; each moves the story's clock on by its ``minutes``."""

HELD = "first-question"
"""The comment that screening holds (its author is new), waiting in the moderation queue."""
