"""The embedded backend: the site's own database does matching, ranking and facet counts.

SQLite matches with FTS5 and ranks with its BM25; PostgreSQL matches a tsvector and ranks with
ts_rank_cd. Both index the tokens of `search.analysis`, so they match the same pages. Index rows
are written through the ORM connection, inside whatever transaction changes the page.
"""

from django.db import connection, transaction

from .. import analysis
from ..documents import FACETS
from ..facets import shape_facets
from ..highlight import snippet
from ..models import SearchEntry, SearchFacetValue
from .base import KEY_FIELDS, Hit, SearchBackend, SearchResults

# Field weights: title above summary and vocabulary terms, which are above the body.
WEIGHTS = {"title": 10.0, "summary": 4.0, "terms": 4.0, "body": 1.0}
WORD_COLUMNS = ("title", "summary", "terms", "body")
EXACT_BONUS = 1000.0  # an exact (phrase) match of every word ranks above any relaxed match
# Every statement starts `WITH m AS MATERIALIZED (…)`: the matched pages are computed once.
# Inlined, SQLite re-ran the full-text match inside each filter and join (search_benchmark at
# 100,000 pages: a text + two facets count went from 4.4 s to 0.1 s).


class SqliteFullText:
    def write(self, cursor, document):
        tokens = document.tokens
        cursor.execute("DELETE FROM search_fulltext WHERE rowid = %s", [document.page_id])
        cursor.execute(
            "INSERT INTO search_fulltext (rowid, title, summary, terms, body, chars) VALUES (%s, %s, %s, %s, %s, %s)",
            [document.page_id, *(tokens[c] for c in (*WORD_COLUMNS, "chars"))],
        )

    def delete(self, cursor, page_ids):
        for page_id in page_ids:
            cursor.execute("DELETE FROM search_fulltext WHERE rowid = %s", [page_id])

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

    def matched_sql(self, words):
        """SQL selecting (id, score) of the pages matching every word; exact matches score higher."""
        weights = ", ".join(str(WEIGHTS[c]) for c in WORD_COLUMNS)
        select = f"SELECT rowid AS id, -bm25(search_fulltext, {weights}, 0.0) AS score FROM search_fulltext WHERE search_fulltext MATCH %s"
        strict = self.expression(words, relaxed=False)
        if not any(word.relaxed for word in words):
            return select, [strict]
        sql = (
            f"SELECT loose.id, loose.score + CASE WHEN exact.id IS NULL THEN 0 ELSE {EXACT_BONUS} END AS score "
            f"FROM ({select}) AS loose LEFT JOIN (SELECT rowid AS id FROM search_fulltext WHERE search_fulltext MATCH %s) AS exact "
            "ON exact.id = loose.id"
        )
        return sql, [self.expression(words, relaxed=True), strict]


class PostgresFullText:
    LABELS = dict(zip(WORD_COLUMNS, "ABCD", strict=True))

    def write(self, cursor, document):
        tokens = document.tokens
        parts = " || ".join(f"setweight(to_tsvector('simple', %s), '{self.LABELS[c]}')" for c in WORD_COLUMNS)
        cursor.execute(
            f"INSERT INTO search_fulltext (rowid, words, chars) VALUES (%s, {parts}, to_tsvector('simple', %s)) "
            "ON CONFLICT (rowid) DO UPDATE SET words = EXCLUDED.words, chars = EXCLUDED.chars",
            [document.page_id, *(tokens[c] for c in WORD_COLUMNS), tokens["chars"]],
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

    def matched_sql(self, words):
        """SQL selecting (id, score) of the pages matching every word; exact matches score higher."""
        loose_words, chars = self.tsquery(words, relaxed=True)
        strict_words, _ = self.tsquery(words, relaxed=False)
        conditions, params = [], []
        if loose_words:
            conditions.append("words @@ to_tsquery('simple', %s)")
            params.append(loose_words)
        if chars:
            conditions.append("chars @@ to_tsquery('simple', %s)")
            params.append(chars)
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


class DatabaseBackend(SearchBackend):
    name = "database"

    @property
    def full_text(self):
        return full_text_for(connection.vendor)

    @transaction.atomic
    def index(self, documents):
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

    @transaction.atomic
    def remove(self, page_ids):
        page_ids = list(page_ids)
        with connection.cursor() as cursor:
            self.full_text.delete(cursor, page_ids)
        SearchEntry.objects.filter(page_id__in=page_ids).delete()

    @transaction.atomic
    def clear(self):
        with connection.cursor() as cursor:
            self.full_text.clear(cursor)
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

    def search(self, query):
        words = analysis.parse_query(query.q)
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
            query=query, backend=self.name, total=total, hits=hits, facets=shape_facets(raw_facets, query)
        )
