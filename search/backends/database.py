"""The embedded backend: the site's own database does matching, ranking and facet counts.

SQLite matches with FTS5 and ranks with its BM25; PostgreSQL matches a tsvector and ranks with
ts_rank_cd. Both index the tokens of `search.analysis`, so they match the same pages. Index rows
are written through the ORM connection, inside whatever transaction changes the page.
"""

from django.db import connection, transaction

from .. import analysis, suggestions
from ..documents import FACETS
from ..facets import shape_facets
from ..highlight import snippet
from ..models import SearchEntry, SearchFacetValue
from .base import KEY_FIELDS, Hit, SearchBackend, SearchResults

# Field weights: title above summary and vocabulary terms, which are above the body. Pinyin (all the
# text, as syllables) counts like the body.
WEIGHTS = {"title": 10.0, "summary": 4.0, "terms": 4.0, "body": 1.0}
PINYIN_WEIGHT = 1.0
WORD_COLUMNS = ("title", "summary", "terms", "body")
EXACT_BONUS = 1000.0  # an exact match of every word ranks above any looser match
TAG_BONUS = 500.0  # so does a page whose vocabulary terms hold every word (tagged 停车难 for 停车)
TAG_COLUMN = "terms"
# Every statement starts `WITH m AS MATERIALIZED (…)`: the matched pages are computed once.
# Inlined, SQLite re-ran the full-text match inside each filter and join (search_benchmark at
# 100,000 pages: a text + two facets count went from 4.4 s to 0.1 s).


def word_options(word, strict, tags):
    """The options of a word for one tier; for `tags`, only those matchable in the terms column."""
    options = word.options(strict=strict or tags)
    if tags:
        options = tuple(o for o in options if all(s.field == analysis.WORDS for s in o))
    return options


def bonus_tiers(words):
    """(strict, tags, bonus) of the score bonuses that apply to this query."""
    tiers = []
    if any(word.loose for word in words) and all(word.exact for word in words):
        tiers.append((True, False, EXACT_BONUS))
    if any(word_options(word, True, True) for word in words):
        tiers.append((True, True, TAG_BONUS))
    return tiers


class SqliteFullText:
    COLUMNS = {
        analysis.WORDS: "{" + " ".join(WORD_COLUMNS) + "}",
        analysis.CHARS: "chars",
        analysis.PINYIN: "pinyin",
    }

    def write(self, cursor, document):
        tokens = document.tokens
        cursor.execute("DELETE FROM search_fulltext WHERE rowid = %s", [document.page_id])
        cursor.execute(
            "INSERT INTO search_fulltext (rowid, title, summary, terms, body, chars, pinyin) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [document.page_id, *(tokens[c] for c in (*WORD_COLUMNS, "chars", "pinyin"))],
        )

    def delete(self, cursor, page_ids):
        for page_id in page_ids:
            cursor.execute("DELETE FROM search_fulltext WHERE rowid = %s", [page_id])

    def clear(self, cursor):
        cursor.execute("DELETE FROM search_fulltext")

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
    def expression(cls, words, strict=False, tags=False):
        """The FTS5 MATCH expression of a query tier; None when it can match nothing."""
        clauses = []
        for word in words:
            options = word_options(word, strict, tags)
            if options:
                clauses.append("(" + cls.options_expression(options, tags) + ")")
            elif not tags:
                return None
        return " AND ".join(clauses) or None

    def finds_anything_sql(self, options):
        return "SELECT 1 FROM search_fulltext WHERE search_fulltext MATCH %s LIMIT 1", [
            self.options_expression(options)
        ]

    def matched_sql(self, words):
        """SQL selecting (id, score) of the pages matching every word; exact matches score higher."""
        loose = self.expression(words)
        if loose is None:
            return "SELECT rowid AS id, 0.0 AS score FROM search_fulltext WHERE 0", []
        weights = ", ".join(str(WEIGHTS[c]) for c in WORD_COLUMNS) + f", 0.0, {PINYIN_WEIGHT}"
        select = f"SELECT rowid AS id, -bm25(search_fulltext, {weights}) AS score FROM search_fulltext WHERE search_fulltext MATCH %s"
        tiers = [(self.expression(words, strict, tags), bonus) for strict, tags, bonus in bonus_tiers(words)]
        tiers = [(expression, bonus) for expression, bonus in tiers if expression]
        if not tiers:
            return select, [loose]
        bonuses = " ".join(
            f"+ CASE WHEN b{i}.id IS NULL THEN 0 ELSE {bonus} END" for i, (_, bonus) in enumerate(tiers)
        )
        joins = " ".join(
            f"LEFT JOIN (SELECT rowid AS id FROM search_fulltext WHERE search_fulltext MATCH %s) AS b{i} ON b{i}.id = loose.id"
            for i in range(len(tiers))
        )
        sql = f"SELECT loose.id, loose.score {bonuses} AS score FROM ({select}) AS loose {joins}"
        return sql, [loose, *(expression for expression, _ in tiers)]


class PostgresFullText:
    LABELS = dict(zip(WORD_COLUMNS, "ABCD", strict=True))
    COLUMNS = {analysis.WORDS: "words", analysis.CHARS: "chars", analysis.PINYIN: "pinyin"}

    def write(self, cursor, document):
        tokens = document.tokens
        parts = " || ".join(f"setweight(to_tsvector('simple', %s), '{self.LABELS[c]}')" for c in WORD_COLUMNS)
        cursor.execute(
            f"INSERT INTO search_fulltext (rowid, words, chars, pinyin) "
            f"VALUES (%s, {parts}, to_tsvector('simple', %s), to_tsvector('simple', %s)) "
            "ON CONFLICT (rowid) DO UPDATE SET words = EXCLUDED.words, chars = EXCLUDED.chars, "
            "pinyin = EXCLUDED.pinyin",
            [document.page_id, *(tokens[c] for c in WORD_COLUMNS), tokens["chars"], tokens["pinyin"]],
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

    @classmethod
    def condition(cls, sequence, tags=False):
        column = "words" if tags else cls.COLUMNS[sequence.field]
        return f"{column} @@ to_tsquery('simple', %s)", [cls.tsquery(sequence, tags)]

    @classmethod
    def options_condition(cls, options, tags=False):
        """SQL true when any of the options matches, and its parameters."""
        alternatives, params = [], []
        for option in options:
            parts = [cls.condition(s, tags) for s in option]
            alternatives.append("(" + " AND ".join(sql for sql, _ in parts) + ")")
            params += [p for _, ps in parts for p in ps]
        return "(" + " OR ".join(alternatives) + ")", params

    @classmethod
    def where(cls, words, strict=False, tags=False):
        """(SQL, params) true for pages matching a query tier; None when it can match nothing."""
        clauses, params = [], []
        for word in words:
            options = word_options(word, strict, tags)
            if options:
                sql, option_params = cls.options_condition(options, tags)
                clauses.append(sql)
                params += option_params
            elif not tags:
                return None
        return (" AND ".join(clauses), params) if clauses else None

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

    def finds_anything_sql(self, options):
        condition, params = self.options_condition(options)
        return f"SELECT 1 FROM search_fulltext WHERE {condition} LIMIT 1", params

    def matched_sql(self, words):
        """SQL selecting (id, score) of the pages matching every word; exact matches score higher."""
        loose = self.where(words)
        if loose is None:
            return "SELECT rowid AS id, 0.0 AS score FROM search_fulltext WHERE false", []
        weights = "{" + ", ".join(str(WEIGHTS[c] / WEIGHTS["title"]) for c in reversed(WORD_COLUMNS)) + "}"
        scores, params = [], []
        if words_query := self.rank_tsquery(words, analysis.WORDS):
            scores.append(f"ts_rank_cd('{weights}', words, to_tsquery('simple', %s))")
            params.append(words_query)
        if pinyin_query := self.rank_tsquery(words, analysis.PINYIN):
            scores.append(
                f"{PINYIN_WEIGHT / WEIGHTS['title']} * ts_rank_cd(pinyin, to_tsquery('simple', %s))"
            )
            params.append(pinyin_query)
        for strict, tags, bonus in bonus_tiers(words):
            if tier := self.where(words, strict, tags):
                scores.append(f"CASE WHEN {tier[0]} THEN {bonus} ELSE 0 END")
                params += tier[1]
        sql = f"SELECT rowid AS id, {' + '.join(scores) or '0.0'} AS score FROM search_fulltext WHERE {loose[0]}"
        return sql, params + loose[1]


def full_text_for(vendor):
    if vendor == "sqlite":
        return SqliteFullText()
    if vendor == "postgresql":
        return PostgresFullText()
    raise RuntimeError(f"The embedded search backend supports SQLite and PostgreSQL, not {vendor}.")


class DatabaseBackend(SearchBackend):
    name = "database"

    @property
    def full_text(self):
        return full_text_for(connection.vendor)

    @transaction.atomic
    def index(self, documents):
        documents = list(documents)
        full_text = self.full_text
        with connection.cursor() as cursor:
            for document in documents:
                SearchEntry.objects.update_or_create(
                    page_id=document.page_id,
                    defaults={
                        "type": document.type,
                        "title": document.title,
                        "url": document.url,
                        "summary": document.summary,
                        "date": document.date,
                        "body": document.body,
                    },
                )
                SearchFacetValue.objects.filter(entry_id=document.page_id).delete()
                SearchFacetValue.objects.bulk_create(
                    SearchFacetValue(entry_id=document.page_id, facet=facet, value=value[:255])
                    for facet, values in document.facets.items()
                    for value in dict.fromkeys(values)
                )
                full_text.write(cursor, document)
        suggestions.write(documents)

    @transaction.atomic
    def remove(self, page_ids):
        page_ids = list(page_ids)
        with connection.cursor() as cursor:
            self.full_text.delete(cursor, page_ids)
        suggestions.remove(page_ids)
        SearchEntry.objects.filter(page_id__in=page_ids).delete()

    @transaction.atomic
    def clear(self):
        with connection.cursor() as cursor:
            self.full_text.clear(cursor)
        suggestions.clear()
        SearchFacetValue.objects.all().delete()
        SearchEntry.objects.all().delete()

    @transaction.atomic
    def rebuild(self, batches):
        self.clear()
        count = 0
        for batch in batches:
            self.index(batch)
            count += len(batch)
        return count

    @staticmethod
    def _key_fields(cursor, page_ids):
        """{page_id: {facet: [values]}} of the key fields of these pages, in one query."""
        if not page_ids:
            return {}
        id_marks = ", ".join(["%s"] * len(page_ids))
        facet_marks = ", ".join(["%s"] * len(KEY_FIELDS))
        cursor.execute(
            "SELECT entry_id, facet, value FROM search_searchfacetvalue "
            f"WHERE entry_id IN ({id_marks}) AND facet IN ({facet_marks}) ORDER BY id",
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
        if words:
            matched_sql, matched_params = self.full_text.matched_sql(words)
        else:
            matched_sql, matched_params = "SELECT page_id AS id, 0.0 AS score FROM search_searchentry", []

        def filter_sql(excluded_facet=None):
            clauses, params = [], []
            for facet, values in query.filters.items():
                if facet == excluded_facet:
                    continue
                placeholders = ", ".join(["%s"] * len(values))
                clauses.append(
                    "m.id IN (SELECT entry_id FROM search_searchfacetvalue "
                    f"WHERE facet = %s AND value IN ({placeholders}))"
                )
                params.extend([facet, *values])
            return (" AND ".join(clauses) or "1 = 1"), params

        where, where_params = filter_sql()
        order = "m.score DESC, e.date DESC" if query.sort == "relevance" else "e.date DESC, m.score DESC"
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH m AS MATERIALIZED ({matched_sql}) SELECT COUNT(*) FROM m JOIN search_searchentry e ON e.page_id = m.id "
                f"WHERE {where}",
                matched_params + where_params,
            )
            total = cursor.fetchone()[0]
            cursor.execute(
                f"WITH m AS MATERIALIZED ({matched_sql}) "
                "SELECT e.page_id, e.title, e.url, e.type, e.summary, e.body, e.date, m.score "
                f"FROM m JOIN search_searchentry e ON e.page_id = m.id WHERE {where} "
                f"ORDER BY {order}, e.page_id LIMIT %s OFFSET %s",
                matched_params + where_params + [query.page_size, query.offset],
            )
            rows = cursor.fetchall()
            # Facets without a filter of their own share every filter: one query counts them all.
            raw_facets = {facet: {} for facet in FACETS}
            unfiltered = [facet for facet in FACETS if facet not in query.filters]
            statements = [(unfiltered, where, where_params)]
            for facet in query.filters:
                facet_where, facet_params = filter_sql(excluded_facet=facet)
                statements.append(([facet], facet_where, facet_params))
            for facets, facet_where, facet_params in statements:
                if not facets:
                    continue
                placeholders = ", ".join(["%s"] * len(facets))
                cursor.execute(
                    f"WITH m AS MATERIALIZED ({matched_sql}) "
                    "SELECT f.facet, f.value, COUNT(*) FROM m JOIN search_searchfacetvalue f ON f.entry_id = m.id "
                    f"WHERE f.facet IN ({placeholders}) AND {facet_where} GROUP BY f.facet, f.value",
                    matched_params + facets + facet_params,
                )
                for facet, value, count in cursor.fetchall():
                    raw_facets[facet][value] = count
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
                score=float(score or 0),
                fields=fields.get(page_id, {}),
            )
            for page_id, title, url, type_key, summary, body, date, score in rows
        ]
        return SearchResults(
            query=query,
            backend=self.name,
            total=total,
            hits=hits,
            facets=shape_facets(raw_facets, query),
            relaxed=analysis.relaxed_words(words),
        )
