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

from .. import analysis
from ..facets import shape_facets
from ..highlight import snippet
from ..schema import EXACT_BONUS, FACETS, KEY_FIELDS, MAX_FACET_VALUE_LENGTH, WEIGHTS, WORD_COLUMNS
from . import facet_bitmaps
from .base import Hit, SearchBackend, SearchResults

# How a search runs (measured with tools/benchmarks at 100,000 pages, see docs/search-benchmark.md):
# the full-text table is asked once for the ids of the matching pages; filters, the total and
# every facet count come from the facet bitmaps; one more statement ranks only the pages that
# pass the filters (`+rowid IN (…)`: the unary + keeps SQLite from turning the list into one
# full-text lookup per id) and returns the page of results shown, whose snippets are then made.


class SqliteFullText:
    def write(self, cursor, rows, replace=True):
        """Write the full-text rows of these (page_id, tokens) pairs; `replace`: they may exist."""
        if replace:
            self.delete(cursor, [page_id for page_id, _ in rows])
        cursor.executemany(
            "INSERT INTO search_fulltext (rowid, title, summary, terms, body, chars) VALUES (%s, %s, %s, %s, %s, %s)",
            [[page_id, *(tokens[c] for c in (*WORD_COLUMNS, "chars"))] for page_id, tokens in rows],
        )

    def delete(self, cursor, page_ids):
        for chunk in _chunks(list(page_ids)):
            cursor.execute(
                f"DELETE FROM search_fulltext WHERE rowid IN ({', '.join(['%s'] * len(chunk))})", chunk
            )

    @staticmethod
    def ids_sql(words):
        """SQL selecting the ids of the pages matching every word (exactly or relaxed)."""
        return "SELECT rowid FROM search_fulltext WHERE search_fulltext MATCH %s", [
            SqliteFullText.expression(words, relaxed=True)
        ]

    @staticmethod
    def restrict(ids, column="rowid"):
        """A condition on a page id column: one of these ids (a JSON array, parsed once)."""
        return f"+{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]

    def clear(self, cursor):
        cursor.execute("DELETE FROM search_fulltext")

    @staticmethod
    def expression(words, relaxed):
        clauses = []
        for word in words:
            if word.single_char:
                clauses.append(f'chars : "{word.text}"')
                continue
            options = ['"' + " ".join(tokens) + '"' for tokens in word.alternatives]
            if relaxed:
                options += ["(" + " AND ".join(f'"{part}"' for part in parts) + ")" for parts in word.relaxed]
            clauses.append(f"{{{' '.join(WORD_COLUMNS)}}} : ({' OR '.join(options)})")
        return " AND ".join(clauses)

    def matched_sql(self, words, restrict=("", [])):
        """SQL selecting (id, score) of the pages matching every word (and the `restrict`
        condition); exact matches score higher."""
        weights = ", ".join(str(WEIGHTS[c]) for c in WORD_COLUMNS)
        condition, condition_params = restrict
        condition = f" AND {condition}" if condition else ""
        select = (
            f"SELECT rowid AS id, -bm25(search_fulltext, {weights}, 0.0) AS score FROM search_fulltext "
            f"WHERE search_fulltext MATCH %s{condition}"
        )
        strict = self.expression(words, relaxed=False)
        if not any(word.relaxed for word in words):
            return select, [strict, *condition_params]
        sql = (
            f"SELECT loose.id, loose.score + CASE WHEN exact.id IS NULL THEN 0 ELSE {EXACT_BONUS} END AS score "
            f"FROM ({select}) AS loose LEFT JOIN (SELECT rowid AS id FROM search_fulltext WHERE search_fulltext MATCH %s) AS exact "
            "ON exact.id = loose.id"
        )
        return sql, [self.expression(words, relaxed=True), *condition_params, strict]


class PostgresFullText:
    LABELS = dict(zip(WORD_COLUMNS, "ABCD", strict=True))

    def write(self, cursor, rows, replace=True):
        """Write the full-text rows of these (page_id, tokens) pairs (an upsert either way)."""
        parts = " || ".join(f"setweight(to_tsvector('simple', %s), '{self.LABELS[c]}')" for c in WORD_COLUMNS)
        cursor.executemany(
            f"INSERT INTO search_fulltext (rowid, words, chars) VALUES (%s, {parts}, to_tsvector('simple', %s)) "
            "ON CONFLICT (rowid) DO UPDATE SET words = EXCLUDED.words, chars = EXCLUDED.chars",
            [[page_id, *(tokens[c] for c in WORD_COLUMNS), tokens["chars"]] for page_id, tokens in rows],
        )

    def delete(self, cursor, page_ids):
        cursor.execute("DELETE FROM search_fulltext WHERE rowid = ANY(%s)", [list(page_ids)])

    def clear(self, cursor):
        cursor.execute("DELETE FROM search_fulltext")

    @staticmethod
    def tsquery(words, relaxed):
        """(words tsquery, chars tsquery) text; empty when the query has no such words."""
        word_queries, char_queries = [], []
        for word in words:
            if word.single_char:
                char_queries.append(word.text)
                continue
            options = ["(" + " <-> ".join(tokens) + ")" for tokens in word.alternatives]
            if relaxed:
                options += ["(" + " & ".join(parts) + ")" for parts in word.relaxed]
            word_queries.append("(" + " | ".join(options) + ")")
        return " & ".join(word_queries), " & ".join(char_queries)

    def ids_sql(self, words):
        """SQL selecting the ids of the pages matching every word (exactly or relaxed)."""
        sql, params = self.matched_sql(words, score=False)
        return sql, params

    @staticmethod
    def restrict(ids, column="rowid"):
        """A condition on a page id column: one of these ids."""
        return f"{column} = ANY(%s)", [list(ids)]

    def matched_sql(self, words, restrict=("", []), score=True):
        """SQL selecting (id, score) of the pages matching every word (and the `restrict`
        condition); exact matches score higher."""
        loose_words, chars = self.tsquery(words, relaxed=True)
        strict_words, _ = self.tsquery(words, relaxed=False)
        conditions, params = [], []
        if loose_words:
            conditions.append("words @@ to_tsquery('simple', %s)")
            params.append(loose_words)
        if chars:
            conditions.append("chars @@ to_tsquery('simple', %s)")
            params.append(chars)
        if restrict[0]:
            conditions.append(restrict[0])
            params.extend(restrict[1])
        if not score:
            return f"SELECT rowid FROM search_fulltext WHERE {' AND '.join(conditions)}", params
        weights = "{" + ", ".join(str(WEIGHTS[c] / WEIGHTS["title"]) for c in reversed(WORD_COLUMNS)) + "}"
        if loose_words:
            score = (
                f"ts_rank_cd('{weights}', words, to_tsquery('simple', %s)) "
                f"+ CASE WHEN words @@ to_tsquery('simple', %s) THEN {EXACT_BONUS} ELSE 0 END"
            )
            score_params = [loose_words, strict_words]
        else:
            score, score_params = f"{EXACT_BONUS}", []
        sql = f"SELECT rowid AS id, {score} AS score FROM search_fulltext WHERE {' AND '.join(conditions)}"
        return sql, score_params + params


def full_text_for(vendor):
    if vendor == "sqlite":
        return SqliteFullText()
    if vendor == "postgresql":
        return PostgresFullText()
    raise RuntimeError(f"The embedded search backend supports SQLite and PostgreSQL, not {vendor}.")


REBUILD_CACHE_KIB = -512_000  # negative: KiB (SQLite's convention)
WRITE_CHUNK = 500  # ids per DELETE … IN (…): well under SQLite's limit on parameters


def _chunks(items, size=WRITE_CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(items):
    return ", ".join(["%s"] * len(items))


def entry_rows(documents):
    """What one batch of SearchDocuments writes: (entries, facet values, full-text tokens).

    Plain tuples, so the analysis (the costly part) can run in worker processes during a rebuild
    (search/rebuilding.py) and only the writing in the process holding the transaction.
    """
    now = timezone.now()
    entries, facets, tokens = [], [], []
    for document in documents:
        entries.append(
            (document.page_id, document.type, document.title, document.url, document.summary,
             document.date, document.body, now)
        )  # fmt: skip
        seen = set()
        for facet, values in document.facets.items():
            for value in values:
                value = value[:MAX_FACET_VALUE_LENGTH]
                if (facet, value) not in seen:
                    seen.add((facet, value))
                    facets.append((document.page_id, facet, value))
        tokens.append((document.page_id, document.tokens))
    return entries, facets, tokens


class DatabaseBackend(SearchBackend):
    name = "database"

    @property
    def full_text(self):
        return full_text_for(connection.vendor)

    def index(self, documents):
        self.write_rows(entry_rows(documents))

    @transaction.atomic
    def write_rows(self, rows, replace=True):
        """Write what `entry_rows` made, in bulk; `replace=False` when the pages are known to be
        absent (a rebuild after `clear`)."""
        entries, facets, tokens = rows
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
                "INSERT INTO search_searchentry (page_id, type, title, url, summary, date, body, indexed_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                entries,
            )
            cursor.executemany(
                "INSERT INTO search_searchfacetvalue (entry_id, facet, value) VALUES (%s, %s, %s)", facets
            )
            facet_bitmaps.record_change(cursor, page_ids if replace else None)

    @transaction.atomic
    def remove(self, page_ids):
        page_ids = list(page_ids)
        with connection.cursor() as cursor:
            self.full_text.delete(cursor, page_ids)
            for chunk in _chunks(page_ids):
                cursor.execute(
                    f"DELETE FROM search_searchfacetvalue WHERE entry_id IN ({_marks(chunk)})", chunk
                )
                cursor.execute(f"DELETE FROM search_searchentry WHERE page_id IN ({_marks(chunk)})", chunk)
            facet_bitmaps.record_change(cursor, page_ids)

    @transaction.atomic
    def clear(self):
        with connection.cursor() as cursor:
            self.full_text.clear(cursor)
            cursor.execute("DELETE FROM search_searchfacetvalue")
            cursor.execute("DELETE FROM search_searchentry")
            facet_bitmaps.record_change(cursor, None)

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

    def search(self, query):
        words = analysis.parse_query(query.q)
        bitmaps = facet_bitmaps.current()
        full_text = self.full_text
        with connection.cursor() as cursor:
            if words:
                sql, params = full_text.ids_sql(words)
                cursor.execute(sql, params)
                # Pages in the full-text table but not (or no longer) in the index are never shown.
                matched = BitMap(page_id for (page_id,) in cursor.fetchall()) & bitmaps.entries
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
            rows = self._page(cursor, query, words, shown, filtered=bool(selected)) if shown else []
            fields = self._key_fields(cursor, [row[0] for row in rows])
        terms = analysis.highlight_terms(words)
        hits = [
            Hit(
                page_id=page_id,
                title=title,
                url=url,
                type=type_key,
                summary=summary,
                highlight=snippet([summary, body], terms),
                date=date,
                score=float(score or 0),
                fields=fields.get(page_id, {}),
            )
            for page_id, title, url, type_key, summary, body, date, score in rows
        ]
        return SearchResults(
            query=query,
            backend=self.name,
            total=len(shown),
            hits=hits,
            facets=shape_facets(raw_facets, query),
        )

    def _page(self, cursor, query, words, shown, filtered):
        """The rows of the page of results shown, ranked; only `shown` pages are scored."""
        if words:
            restrict = self.full_text.restrict(shown) if filtered else ("", [])
            matched_sql, matched_params = self.full_text.matched_sql(words, restrict)
        else:
            condition, matched_params = self.full_text.restrict(shown, "page_id") if filtered else ("", [])
            where = f" WHERE {condition}" if condition else ""
            matched_sql = f"SELECT page_id AS id, 0.0 AS score FROM search_searchentry{where}"
        order = "m.score DESC, e.date DESC" if query.sort == "relevance" else "e.date DESC, m.score DESC"
        cursor.execute(
            f"WITH m AS MATERIALIZED ({matched_sql}) "
            "SELECT e.page_id, e.title, e.url, e.type, e.summary, e.body, e.date, m.score "
            f"FROM m JOIN search_searchentry e ON e.page_id = m.id "
            f"ORDER BY {order}, e.page_id LIMIT %s OFFSET %s",
            matched_params + [query.page_size, query.offset],
        )
        return cursor.fetchall()
