"""The embedded backend: the site's own database does matching, ranking and facet counts.

SQLite matches with FTS5 and ranks with its BM25; PostgreSQL matches a tsvector and ranks with
ts_rank_cd. Both index the tokens of `search.analysis`, so they match the same pages. Index rows
are written through the ORM connection, inside whatever transaction changes the page.
"""

import json
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone
from pyroaring import BitMap

from .. import analysis, suggestions
from ..facets import shape_facets
from ..highlight import snippet
from ..ranking import bonus_tiers, matching_options, word_options
from ..schema import (
    FACETS,
    KEY_FIELDS,
    MAX_FACET_VALUE_LENGTH,
    NEWEST_ORDER,
    PINYIN_COLUMNS,
    PINYIN_WEIGHT,
    TAG_COLUMN,
    WEIGHTS,
    WORD_COLUMNS,
)
from . import facet_bitmaps, rankings
from .base import Hit, SearchBackend, SearchResults

# How a search runs (measured with benchmarks/ at 100,000 pages, see docs/search-benchmark.md):
# the full-text table is asked once for the ids of the matching pages; filters, the total and
# every facet count come from the facet bitmaps; one more statement ranks only the pages that
# pass the filters (`+rowid IN (…)`: the unary + keeps SQLite from turning the list into one
# full-text lookup per id) and returns the page of results shown, whose snippets are then made.
# Unless the whole ranked order of the matches is kept (backends/rankings.py): then the page of
# results is read off that order, and the full-text table is not asked again. Which pages match
# (and which earn a bonus tier) is asked with only the options that decide it
# (ranking.matching_options); BM25 reads every option, as its score depends on them all.


class SqliteFullText:
    COLUMNS = {
        analysis.WORDS: "{" + " ".join(WORD_COLUMNS) + "}",
        analysis.CHARS: "chars",
        analysis.PINYIN: "{" + " ".join(PINYIN_COLUMNS.values()) + "}",
    }
    # The FTS5 table's columns, in order (search/migrations/0009_fulltext_pinyin_per_field.py).
    TABLE_COLUMNS = (*WORD_COLUMNS, analysis.CHARS, *PINYIN_COLUMNS.values())
    MATCHED_IDS = "SELECT rowid FROM search_fulltext WHERE search_fulltext MATCH %s"

    @classmethod
    def definition(cls):
        """The table's CREATE statement, as migration 0015 leaves it.

        Contentless where SQLite can delete from such a table (3.43, contentless_delete): nothing
        reads the tokens back (matching and BM25 read the index), so keeping each row a second
        time as its content only cost disk, writes and a slower DROP. An older SQLite keeps it.
        """
        options = ["tokenize = 'unicode61 remove_diacritics 0'"]
        if connection.Database.sqlite_version_info >= CONTENTLESS_DELETE_SINCE:
            options += ["content = ''", "contentless_delete = 1"]
        columns = ", ".join([*cls.TABLE_COLUMNS, *options])
        return f'CREATE VIRTUAL TABLE "search_fulltext" USING fts5({columns})'  # quoted, as 0009 left it

    def write(self, cursor, rows, replace=True):
        """Write the full-text rows of these (page_id, tokens) pairs; `replace`: they may exist."""
        if replace:
            self.delete(cursor, [page_id for page_id, _ in rows])
        cursor.executemany(
            f"INSERT INTO search_fulltext (rowid, {', '.join(self.TABLE_COLUMNS)}) "
            f"VALUES (%s, {_marks(self.TABLE_COLUMNS)})",
            [[page_id, *(tokens[c] for c in self.TABLE_COLUMNS)] for page_id, tokens in rows],
        )

    def delete(self, cursor, page_ids):
        for chunk in _chunks(list(page_ids)):
            cursor.execute(
                f"DELETE FROM search_fulltext WHERE rowid IN ({', '.join(['%s'] * len(chunk))})", chunk
            )

    def clear(self, cursor):
        # DELETE takes every row's tokens out of the index one row at a time (7 s at 10,000 pages,
        # most of a rebuild's clearing); dropping the table and creating it again is much faster,
        # and SQLite's DDL is part of the caller's transaction.
        cursor.execute("DROP TABLE search_fulltext")
        cursor.execute(self.definition())
        cursor.execute(
            "INSERT INTO search_fulltext (search_fulltext, rank) VALUES ('hashsize', %s)", [FTS5_HASH_BYTES]
        )

    @staticmethod
    def restrict(ids, column="rowid"):
        """A condition on a page id column: one of these ids (a JSON array, parsed once)."""
        return f"+{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]

    @classmethod
    def phrase(cls, sequence, tags=False):
        """One Sequence as an FTS5 phrase in its columns: `{title summary terms body} : "停车 车位"`."""
        column = TAG_COLUMN if tags else cls.COLUMNS[sequence.field]
        return f'{column} : "' + " ".join(t.replace('"', '""') for t in sequence.tokens) + '"'

    @classmethod
    def options_expression(cls, options, tags=False):
        """Any of the options, each of whose sequences must all appear."""
        return " OR ".join(
            "(" + " AND ".join(cls.phrase(s, tags) for s in option) + ")" for option in options
        )

    @classmethod
    def expression(cls, words, strict=False, tags=False, scored=False):
        """The FTS5 MATCH expression of a query tier; None when it can match nothing. `scored`:
        with every option, as BM25 reads them (else only those that say which pages match)."""
        clauses = []
        for word in words:
            options = word_options(word, strict, tags, scored)
            if options:
                clauses.append("(" + cls.options_expression(options, tags) + ")")
            elif not tags:
                return None
        return " AND ".join(clauses) or None

    @staticmethod
    def read_ids(cursor, sql, params):
        """The BitMap of the ids `sql` selects, as one JSON array: SQLite builds it in C, where
        a row per id costs Python a tuple each (物业 at 100,000 pages: 14 ms, not 31)."""
        cursor.execute(f"SELECT json_group_array(rowid) FROM ({sql})", params)
        return BitMap(json.loads(cursor.fetchone()[0]))

    def finds_anything_sql(self, options):
        return "SELECT 1 FROM search_fulltext WHERE search_fulltext MATCH %s LIMIT 1", [
            self.options_expression(matching_options(options))
        ]

    def ids_sql(self, words):
        """SQL selecting the ids of the pages matching every word (loosely: every tier's pages)."""
        loose = self.expression(words)
        if loose is None:
            return "SELECT rowid FROM search_fulltext WHERE 0", []
        return self.MATCHED_IDS, [loose]

    def tier_expressions(self, words):
        """[(MATCH expression, bonus)] of the bonus tiers of these words that can match."""
        tiers = [(self.expression(words, strict, tags), bonus) for strict, tags, bonus in bonus_tiers(words)]
        return [(expression, bonus) for expression, bonus in tiers if expression]

    def tier_sqls(self, words):
        """(SQL selecting the ids of a bonus tier's pages, its params, the bonus) of each tier.

        A narrow search reads these once and keeps the ids (backends/rankings.py): each is a
        match over the whole table, as costly the tenth time as the first, and the same for
        every filter. The SQL is `ids_sql`'s, so a tier that is the words' loose match (every
        word exact) is read once for both."""
        return [(self.MATCHED_IDS, [expression], bonus) for expression, bonus in self.tier_expressions(words)]

    def matched_sql(self, words, restrict=("", []), tiers=None):
        """SQL selecting (id, score) of the pages matching every word (and the `restrict`
        condition); exact and tagged matches score higher. `tiers`: [(ids, bonus)] of each bonus
        tier (`tier_sqls`), when its pages are known: the statement then matches no tier."""
        loose = self.expression(words, scored=True)
        if loose is None:
            return "SELECT rowid AS id, 0.0 AS score FROM search_fulltext WHERE 0", []
        condition, condition_params = restrict
        condition = f" AND {condition}" if condition else ""
        weights = ", ".join(
            [str(WEIGHTS[c]) for c in WORD_COLUMNS]
            + ["0.0"]
            + [str(WEIGHTS[c] * PINYIN_WEIGHT) for c in PINYIN_COLUMNS]
        )
        if tiers is not None:
            # The same sum, added in the same order, as the joins below give.
            bonuses = " ".join(
                f"+ CASE WHEN rowid IN (SELECT value FROM json_each(%s)) THEN {bonus} ELSE 0 END"
                for _, bonus in tiers
            )
            sql = (
                f"SELECT rowid AS id, -bm25(search_fulltext, {weights}) {bonuses} AS score "
                f"FROM search_fulltext WHERE search_fulltext MATCH %s{condition}"
            )
            return sql, [*(json.dumps(list(ids)) for ids, _ in tiers), loose, *condition_params]
        select = (
            f"SELECT rowid AS id, -bm25(search_fulltext, {weights}) AS score FROM search_fulltext "
            f"WHERE search_fulltext MATCH %s{condition}"
        )
        tiers = self.tier_expressions(words)
        if not tiers:
            return select, [loose, *condition_params]
        bonuses = " ".join(
            f"+ CASE WHEN b{i}.id IS NULL THEN 0 ELSE {bonus} END" for i, (_, bonus) in enumerate(tiers)
        )
        # Each tier's pages once, as a materialized table: as a subquery SQLite 3.51 flattens it
        # into the join and asks FTS5 once per matching row (加装电梯, 10,000 pages: 330 ms, not 12).
        tier_tables = ", ".join(
            f"b{i} AS MATERIALIZED (SELECT rowid AS id FROM search_fulltext WHERE search_fulltext MATCH %s)"
            for i in range(len(tiers))
        )
        joins = " ".join(f"LEFT JOIN b{i} ON b{i}.id = loose.id" for i in range(len(tiers)))
        sql = f"WITH {tier_tables} SELECT loose.id, loose.score {bonuses} AS score FROM ({select}) AS loose {joins}"
        return sql, [*(expression for expression, _ in tiers), loose, *condition_params]


class PostgresFullText:
    LABELS = dict(zip(WORD_COLUMNS, "ABCD", strict=True))
    COLUMNS = {analysis.WORDS: "words", analysis.CHARS: "chars", analysis.PINYIN: "pinyin"}
    FIELD_GAP = "kbfieldgap"  # a word no text holds (one that did would only lose this word)

    def write(self, cursor, rows, replace=True):
        """Write the full-text rows of these (page_id, tokens) pairs (an upsert either way)."""
        # Words and pinyin: one tsvector each, every field's tokens labelled with its weight. `||`
        # numbers the next field's tokens straight on from the last one's, so a phrase could run
        # from a title into its summary (停 | 车辆 read as ting che); each field ends with FIELD_GAP,
        # deleted again by ts_delete, which leaves its position empty.
        parts = (
            "ts_delete("
            + " || ".join(f"setweight(to_tsvector('simple', %s), '{self.LABELS[c]}')" for c in WORD_COLUMNS)
            + f", '{self.FIELD_GAP}')"
        )
        cursor.executemany(
            f"INSERT INTO search_fulltext (rowid, words, chars, pinyin) "
            f"VALUES (%s, {parts}, to_tsvector('simple', %s), {parts}) "
            "ON CONFLICT (rowid) DO UPDATE SET words = EXCLUDED.words, chars = EXCLUDED.chars, "
            "pinyin = EXCLUDED.pinyin",
            [
                [
                    page_id,
                    *(f"{tokens[c]} {self.FIELD_GAP}" for c in WORD_COLUMNS),
                    tokens[analysis.CHARS],
                    *(f"{tokens[PINYIN_COLUMNS[c]]} {self.FIELD_GAP}" for c in WORD_COLUMNS),
                ]
                for page_id, tokens in rows
            ],
        )

    def delete(self, cursor, page_ids):
        cursor.execute("DELETE FROM search_fulltext WHERE rowid = ANY(%s)", [list(page_ids)])

    def clear(self, cursor):
        cursor.execute("DELETE FROM search_fulltext")

    @classmethod
    def tsquery(cls, sequence, tags=False):
        """One Sequence as tsquery text: 停车 <-> 车位 (in the terms column: 停车:C <-> 车位:C)."""
        label = f":{cls.LABELS[TAG_COLUMN]}" if tags else ""
        return " <-> ".join(f"{token}{label}" for token in sequence.tokens)

    # A condition is built as a tree and then written as SQL: ("match", column, tsquery text) or
    # ("and" | "or", (condition, …)). Matches of one column under the same AND or OR become one
    # tsquery (`words @@ '(业委 <-> 委会) | (业主 & 委员 & 员会)'`), whose & and | mean what AND and
    # OR of the separate matches mean (every token of search.analysis keeps a lexeme in
    # to_tsquery('simple'), so no part drops out). PostgreSQL reads a page's tsvector again for
    # every @@, and at about 10 KB a page it is stored out of line (TOAST): reading it is most of
    # what matching costs (社区基金会 at 10,000 pages: 161 ms as three @@, 111 ms as one).
    @classmethod
    def match(cls, sequence, tags=False):
        return ("match", "words" if tags else cls.COLUMNS[sequence.field], cls.tsquery(sequence, tags))

    @classmethod
    def combined(cls, operator, conditions):
        """`conditions` under AND or OR, the matches of each column as one: the same rows."""
        parts = [part for c in conditions for part in (c[1] if c[0] == operator else (c,))]
        texts = {}  # column → its tsquery texts, columns in the order they come
        for part in parts:
            if part[0] == "match":
                texts.setdefault(part[1], []).append(part[2])
        symbol = " & " if operator == "and" else " | "
        merged = []
        for part in parts:
            if part[0] != "match":
                merged.append(part)
            elif part[1] in texts:
                column_texts = texts.pop(part[1])
                text = (
                    symbol.join(f"({t})" for t in column_texts) if len(column_texts) > 1 else column_texts[0]
                )
                merged.append(("match", part[1], text))
        return merged[0] if len(merged) == 1 else (operator, tuple(merged))

    @classmethod
    def sql(cls, condition):
        """(SQL, params) of a condition tree."""
        if condition[0] == "match":
            return f"{condition[1]} @@ to_tsquery('simple', %s)", [condition[2]]
        parts = [cls.sql(part) for part in condition[1]]
        joiner = " AND " if condition[0] == "and" else " OR "
        return "(" + joiner.join(sql for sql, _ in parts) + ")", [p for _, params in parts for p in params]

    @classmethod
    def options_tree(cls, options, tags=False):
        """True when any of the options matches (each of its sequences appears)."""
        return cls.combined(
            "or", [cls.combined("and", [cls.match(s, tags) for s in option]) for option in options]
        )

    @classmethod
    def options_condition(cls, options, tags=False):
        """SQL true when any of the options matches, and its parameters."""
        return cls.sql(cls.options_tree(options, tags))

    @classmethod
    def where(cls, words, strict=False, tags=False):
        """(SQL, params) true for pages matching a query tier; None when it can match nothing.
        Only the options that say which pages match (ts_rank_cd reads `rank_tsquery`)."""
        clauses = []
        for word in words:
            options = word_options(word, strict, tags, scored=False)
            if options:
                clauses.append(cls.options_tree(options, tags))
            elif not tags:
                return None
        return cls.sql(cls.combined("and", clauses)) if clauses else None

    @classmethod
    def rank_tsquery(cls, words, field):
        """Every word's sequences in one field, for ts_rank_cd: (a <-> b | c) & (d)."""
        per_word = []
        for word in words:
            sequences = [s for option in word.options() for s in option if s.field == field]
            if sequences:
                per_word.append(
                    "(" + " | ".join(f"({cls.tsquery(s)})" for s in dict.fromkeys(sequences)) + ")"
                )
        return " & ".join(per_word)

    @staticmethod
    def read_ids(cursor, sql, params):
        """The BitMap of the ids `sql` selects."""
        cursor.execute(sql, params)
        return BitMap(page_id for (page_id,) in cursor.fetchall())

    def finds_anything_sql(self, options):
        condition, params = self.options_condition(matching_options(options))
        return f"SELECT 1 FROM search_fulltext WHERE {condition} LIMIT 1", params

    def ids_sql(self, words):
        """SQL selecting the ids of the pages matching every word (loosely: every tier's pages)."""
        loose = self.where(words)
        if loose is None:
            return "SELECT rowid FROM search_fulltext WHERE false", []
        return f"SELECT rowid FROM search_fulltext WHERE {loose[0]}", loose[1]

    @staticmethod
    def restrict(ids, column="rowid"):
        """A condition on a page id column: one of these ids."""
        return f"{column} = ANY(%s)", [list(ids)]

    def tier_sqls(self, words):
        """None: a ranking reads each tier's condition on the pages it ranks alone (`matched_sql`).
        Matching a tier in every page would read every page's tsvector, stored out of line (TOAST):
        far more than a narrow search's few hundred pages cost."""
        return None

    def matched_sql(self, words, restrict=("", [])):
        """SQL selecting (id, score) of the pages matching every word (and the `restrict`
        condition); exact and tagged matches score higher."""
        loose = self.where(words)
        if loose is None:
            return "SELECT rowid AS id, 0.0 AS score FROM search_fulltext WHERE false", []
        weights = "{" + ", ".join(str(WEIGHTS[c] / WEIGHTS["title"]) for c in reversed(WORD_COLUMNS)) + "}"
        scores, params = [], []
        if words_query := self.rank_tsquery(words, analysis.WORDS):
            scores.append(f"ts_rank_cd('{weights}', words, to_tsquery('simple', %s))")
            params.append(words_query)
        if pinyin_query := self.rank_tsquery(words, analysis.PINYIN):
            scores.append(f"{PINYIN_WEIGHT} * ts_rank_cd('{weights}', pinyin, to_tsquery('simple', %s))")
            params.append(pinyin_query)
        for strict, tags, bonus in bonus_tiers(words):
            if tier := self.where(words, strict, tags):
                scores.append(f"CASE WHEN {tier[0]} THEN {bonus} ELSE 0 END")
                params += tier[1]
        where, where_params = loose
        if restrict[0]:
            where = f"{where} AND {restrict[0]}"
            where_params = [*where_params, *restrict[1]]
        sql = f"SELECT rowid AS id, {' + '.join(scores) or '0.0'} AS score FROM search_fulltext WHERE {where}"
        return sql, params + where_params


def full_text_for(vendor):
    if vendor == "sqlite":
        return SqliteFullText()
    if vendor == "postgresql":
        return PostgresFullText()
    raise RuntimeError(f"The embedded search backend supports SQLite and PostgreSQL, not {vendor}.")


# A search whose filters keep at least 1/WHOLE_RANKING_SHARE of its matches ranks them all, to
# keep (backends/rankings.py); a narrower one ranks only the pages it shows.
WHOLE_RANKING_SHARE = 4
# A search without words whose filters keep at least 1/NEWEST_WALK_SHARE of the pages reads them
# in newest order off an index (`_newest_first`), WALK_STEP rows at first, four times more each step.
NEWEST_WALK_SHARE = 64
WALK_STEP = 500
REBUILD_CACHE_KIB = -512_000  # negative: KiB (SQLite's convention)
# FTS5 holds a transaction's new tokens in memory up to this size before it writes them out as a
# segment (1 MiB by default, search/migrations/0014_fulltext_hash_size.py): a rebuild or a large
# import then writes 2 segments where it wrote 11 (10,000 pages; the inserts alone 40% faster).
FTS5_HASH_BYTES = 64 * 1024 * 1024
# SQLite deletes rows from a contentless FTS5 table from this release on (SqliteFullText.definition).
CONTENTLESS_DELETE_SINCE = (3, 43, 0)
WRITE_CHUNK = 500  # ids per DELETE … IN (…): well under SQLite's limit on parameters


def _chunks(items, size=WRITE_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(items):
    return ", ".join(["%s"] * len(items))


def _filters_key(filters):
    """The same key for the same filters, however their values were listed."""
    return tuple(sorted((facet, tuple(sorted(set(values)))) for facet, values in filters.items()))


def _order_keys(alias="e"):
    """The entries table as a ranking joins it, for their sort keys alone. SQLite would look each
    page up by its id, in rows whose body pushes the keys out to overflow pages: at 10,000 matches
    that took 15 ms of a 45 ms search; the covering index search_entry_order takes half."""
    if connection.vendor == "sqlite":
        return f"search_searchentry AS {alias} INDEXED BY search_entry_order"
    return f"search_searchentry AS {alias}"


def order_sql(sort, entry="e", score="m.score"):
    """ORDER BY of a search: `newest` by schema.NEWEST_ORDER (an unknown date, "", comes last) then
    the score, `relevance` by the score then the same; the page id settles the rest. The
    Elasticsearch backend sorts the same way (`sort_clauses`). `title` by the title's pinyin key,
    in byte order as Elasticsearch sorts a keyword (PostgreSQL's default collation may not)."""
    if sort == "title":
        collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
        return f"{entry}.title_key{collate}, {entry}.page_id"
    newest = ", ".join(f"{entry}.{column} DESC" for column in NEWEST_ORDER)
    if sort == "newest":
        return f"{newest}, {score} DESC, {entry}.page_id"
    return f"{score} DESC, {newest}, {entry}.page_id"


def entry_rows(documents):
    """What one batch of SearchDocuments writes: (entries, facet values, full-text tokens,
    title suggestions).

    Plain tuples, so the analysis (the costly part) can run in worker processes during a rebuild
    (search/rebuilding.py) and only the writing in the process holding the transaction.
    """
    now = timezone.now()
    entries, facets, tokens = [], [], []
    for document in documents:
        entries.append(
            (document.page_id, document.type, document.title, document.url, document.summary,
             document.date, document.date_label, document.published_at, document.body, now,
             document.title_key)
        )  # fmt: skip
        seen = set()
        for facet, values in document.facets.items():
            for value in values:
                value = value[:MAX_FACET_VALUE_LENGTH]
                if (facet, value) not in seen:
                    seen.add((facet, value))
                    facets.append((document.page_id, facet, value))
        tokens.append((document.page_id, document.tokens))
    return entries, facets, tokens, suggestions.title_rows(entries)


class DatabaseBackend(SearchBackend):
    name = "database"

    @property
    def full_text(self):
        return full_text_for(connection.vendor)

    def index(self, documents):
        self.write_rows(entry_rows(documents))

    @transaction.atomic(savepoint=False)
    def write_rows(self, rows, replace=True):
        """Write what `entry_rows` made, in bulk; `replace=False` when the pages are known to be
        absent (a rebuild after `clear`).

        No savepoint inside a caller's transaction: FTS5 writes out the tokens it holds at every
        savepoint, so a rebuild's batches would each become a segment (FTS5_HASH_BYTES); and a
        failed write fails the whole run anyway, which no caller carries on from."""
        entries, facets, tokens, titles = rows
        if not entries:
            return
        page_ids = [entry[0] for entry in entries]
        with connection.cursor() as cursor:
            if replace:
                for chunk in _chunks(page_ids):
                    cursor.execute(
                        f"DELETE FROM search_searchfacetvalue WHERE entry_id IN ({_marks(chunk)})", chunk
                    )
                    cursor.execute(
                        f"DELETE FROM search_searchentry WHERE page_id IN ({_marks(chunk)})", chunk
                    )
            self.full_text.write(cursor, tokens, replace=replace)
            cursor.executemany(
                "INSERT INTO search_searchentry (page_id, type, title, url, summary, date, date_label, "
                "published_at, body, indexed_at, title_key) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                entries,
            )
            cursor.executemany(
                "INSERT INTO search_searchfacetvalue (entry_id, facet, value) VALUES (%s, %s, %s)", facets
            )
            facet_bitmaps.record_change(cursor, page_ids if replace else None)
            if replace:  # a rebuild keeps its snapshot once, at its end
                facet_bitmaps.keep_snapshot(cursor)
        suggestions.write_rows(titles, facets, replace=replace)

    @transaction.atomic(savepoint=False)
    def remove(self, page_ids):
        page_ids = list(page_ids)
        if not page_ids:  # else a new generation: every process would read every facet row again
            return
        with connection.cursor() as cursor:
            self.full_text.delete(cursor, page_ids)
            for chunk in _chunks(page_ids):
                cursor.execute(
                    f"DELETE FROM search_searchfacetvalue WHERE entry_id IN ({_marks(chunk)})", chunk
                )
                cursor.execute(f"DELETE FROM search_searchentry WHERE page_id IN ({_marks(chunk)})", chunk)
            facet_bitmaps.record_change(cursor, page_ids)
            facet_bitmaps.keep_snapshot(cursor)
        suggestions.remove(page_ids)

    @transaction.atomic(savepoint=False)
    def clear(self):
        with connection.cursor() as cursor:
            self.full_text.clear(cursor)
            cursor.execute("DELETE FROM search_searchfacetvalue")
            cursor.execute("DELETE FROM search_searchentry")
            facet_bitmaps.record_change(cursor, None)
        suggestions.clear()

    def rebuild(self, batches):
        return self.rebuild_rows((entry_rows(batch), len(batch)) for batch in batches)

    @transaction.atomic
    def rebuild_rows(self, batches):
        """Replace the whole index with these (`entry_rows`, page count) pairs, in one
        transaction; the number of pages indexed."""
        self.clear()
        count = 0
        with self._large_cache():
            for rows, pages in batches:
                self.write_rows(rows, replace=False)
                count += pages
        with connection.cursor() as cursor:
            facet_bitmaps.keep_snapshot(cursor)
        return count

    @contextmanager
    def _large_cache(self):
        """SQLite: a page cache that holds the rebuild's writes (2 MB by default), so they are not
        spilled to the file, under an exclusive lock, long before the commit."""
        if connection.vendor != "sqlite":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            previous = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA cache_size = {REBUILD_CACHE_KIB}")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(previous)}")

    @staticmethod
    def _key_fields(cursor, page_ids):
        """{page_id: {facet: [values]}} of the key fields of these pages, in one query."""
        if not page_ids:
            return {}
        cursor.execute(
            "SELECT entry_id, facet, value FROM search_searchfacetvalue "
            f"WHERE entry_id IN ({_marks(page_ids)}) AND facet IN ({_marks(KEY_FIELDS)}) ORDER BY id",
            [*page_ids, *KEY_FIELDS],
        )
        fields = {}
        for page_id, facet, value in cursor.fetchall():
            fields.setdefault(page_id, {}).setdefault(facet, []).append(value)
        return fields

    def finds_anything(self, options):
        """Whether any indexed page matches any of these options (for analysis.resolve)."""
        sql, params = self.full_text.finds_anything_sql(options)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone() is not None

    def search(self, query):
        words = self.analyse(query.q)
        bitmaps = facet_bitmaps.current()
        full_text = self.full_text
        state = (*facet_bitmaps.database_key(), bitmaps.stamp)  # what kept rankings are valid for
        with connection.cursor() as cursor:
            if words:
                sql, params = full_text.ids_sql(words)
                matched = self._kept_ids(cursor, sql, params, state, bitmaps.entries)
            else:
                matched = bitmaps.entries
            selected = {facet: bitmaps.of(facet, values) for facet, values in query.filters.items()}
            shown = BitMap.intersection(matched, *selected.values()) if selected else matched
            # Each facet is counted with every filter but its own; those without a filter share one set.
            raw_facets = {}
            for facet in FACETS:
                if facet in selected:
                    others = [bitmap for name, bitmap in selected.items() if name != facet]
                    pages = BitMap.intersection(matched, *others) if others else matched
                else:
                    pages = shown
                raw_facets[facet] = bitmaps.counts(facet, pages)
            rows = self._page(cursor, query, words, shown, matched, state, bitmaps.entries) if shown else []
            fields = self._key_fields(cursor, [row[0] for row in rows])
        terms = analysis.highlight_terms(words)
        readings = analysis.pinyin_readings(words)
        hits = [
            Hit(
                page_id=page_id,
                title=title,
                url=url,
                type=type_key,
                summary=summary,
                highlight=snippet([summary, body], terms, readings),
                date=date,
                date_label=date_label,
                score=float(score or 0),
                fields=fields.get(page_id, {}),
            )
            for page_id, title, url, type_key, summary, body, date, date_label, score in rows
        ]
        return SearchResults(
            query=query,
            backend=self.name,
            total=len(shown),
            hits=hits,
            facets=shape_facets(raw_facets, query),
            relaxed=analysis.relaxed_words(words),
        )

    def _kept_ids(self, cursor, sql, params, state, entries):
        """The ids `sql` selects among the indexed `entries`, read once for the index state and kept.
        Pages in the full-text table but not (or no longer) in the index are never shown."""
        return rankings.kept_matches(
            (*state, sql, *params), lambda: self.full_text.read_ids(cursor, sql, params) & entries
        )

    def _page(self, cursor, query, words, shown, matched, state, entries):
        """The rows of the page of results shown, ranked.

        From the whole ranking of the matches when it is kept (search/backends/rankings.py) or
        worth keeping: every search without filters, and any whose filters keep at least
        1/WHOLE_RANKING_SHARE of the matches. A narrower one ranks only the pages it shows (a
        few hundred where the whole ranking has thousands: at 100,000 pages 物业 matches nearly
        every page) and keeps that ranking for its next pages and page sizes.
        """
        filtered = len(shown) < len(matched)
        if not words and query.sort != "title" and len(shown) * NEWEST_WALK_SHARE >= len(matched):
            newest = self._newest_first(cursor)
            return self._rows(cursor, rankings.pick(newest, shown, query.offset, query.page_size))
        if words:
            matched_sql, matched_params = self.full_text.matched_sql(words)
        else:
            matched_sql, matched_params = "SELECT page_id AS id, 0.0 AS score FROM search_searchentry", []
        key = (*state, query.sort, matched_sql, *matched_params)
        ranking = rankings.rankings.get(key)
        if ranking is None and (not filtered or len(shown) * WHOLE_RANKING_SHARE >= len(matched)):
            ranking = self._ranking(cursor, query.sort, matched_sql, matched_params)
            rankings.rankings.put(key, ranking)
        if ranking is not None:
            return self._rows(cursor, ranking.page(shown, query.offset, query.page_size, every=not filtered))
        narrow_key = (*key, _filters_key(query.filters))
        ranking = rankings.narrow.get(narrow_key)
        if ranking is None:
            if words:
                restrict = self.full_text.restrict(shown)
                tiers = self._kept_tiers(cursor, words, state, entries, shown)
                matched_sql, matched_params = (
                    self.full_text.matched_sql(words, restrict)
                    if tiers is None
                    else self.full_text.matched_sql(words, restrict, tiers)
                )
            else:
                condition, matched_params = self.full_text.restrict(shown, "page_id")
                matched_sql = f"SELECT page_id AS id, 0.0 AS score FROM search_searchentry WHERE {condition}"
            ranking = self._ranking(cursor, query.sort, matched_sql, matched_params)
            rankings.narrow.put(narrow_key, ranking)
        return self._rows(cursor, ranking.page(shown, query.offset, query.page_size, every=True))

    @staticmethod
    def _ranking(cursor, sort, matched_sql, matched_params):
        """The Ranking of every page `matched_sql` selects, in the order of `sort`."""
        cursor.execute(
            f"WITH m AS MATERIALIZED ({matched_sql}) SELECT e.page_id, m.score "
            f"FROM m JOIN {_order_keys()} ON e.page_id = m.id ORDER BY {order_sql(sort)}",
            matched_params,
        )
        return rankings.Ranking.from_rows(cursor.fetchall())

    def _kept_tiers(self, cursor, words, state, entries, shown):
        """[(ids among `shown`, bonus)] of each bonus tier of these words, each tier's pages read
        once for the index state and kept; None where the full-text table reads tiers itself."""
        tiers = self.full_text.tier_sqls(words)
        if tiers is None:
            return None
        return [
            (self._kept_ids(cursor, sql, params, state, entries) & shown, bonus)
            for sql, params, bonus in tiers
        ]

    @staticmethod
    def _newest_first(cursor):
        """(page id, 0.0) of every indexed page, newest first, read in steps that grow fourfold.

        With no words every score is 0, so relevance and newest are the one order of
        schema.NEWEST_ORDER, which the index search_entry_newest_first holds: reading it from the
        top until the page of results is full costs a few hundred rows when the filters keep a
        good share of the pages (1/NEWEST_WALK_SHARE), not a sort of them all (40 ms at 100,000
        pages).
        """
        newest = ", ".join(f"{column} DESC" for column in NEWEST_ORDER)
        read, step = 0, WALK_STEP
        while True:
            cursor.execute(
                f"SELECT page_id FROM search_searchentry ORDER BY {newest}, page_id LIMIT %s OFFSET %s",
                [step, read],
            )
            ids = [page_id for (page_id,) in cursor.fetchall()]
            yield from ((page_id, 0.0) for page_id in ids)
            if len(ids) < step:
                return
            read += len(ids)
            step *= 4

    @staticmethod
    def _rows(cursor, picked):
        """The shown rows of these (page id, score) pairs, in their order."""
        if not picked:
            return []
        ids = [page_id for page_id, _ in picked]
        cursor.execute(
            "SELECT page_id, title, url, type, summary, body, date, date_label FROM search_searchentry "
            f"WHERE page_id IN ({_marks(ids)})",
            ids,
        )
        found = {row[0]: row for row in cursor.fetchall()}
        return [(*found[page_id], score) for page_id, score in picked if page_id in found]
