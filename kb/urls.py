from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from kb.operations.health import healthz
from kb.syndication.api import api_router
from kb.syndication.feeds import LatestPagesAtomFeed, LatestPagesFeed
from kb.syndication.search_feeds import SearchAtomFeed, SearchFeed
from search import reuse_views
from search import views as search_views

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", search_views.search_page, name="search"),
    re_path(r"^search/export\.(?P<extension>csv|json|ris)$", reuse_views.search_export, name="search_export"),
    path("api/search/", search_views.search_api, name="search_api"),
    path("api/search/suggest/", search_views.suggest_api, name="search_suggest"),
    path("api/search/similar/", reuse_views.similar_api, name="search_similar"),
    path("compare/", include("kb.compare.urls")),
    path("feeds/latest.rss", LatestPagesFeed(), name="feed_rss"),
    path("feeds/latest.atom", LatestPagesAtomFeed(), name="feed_atom"),
    path("feeds/search.rss", SearchFeed(), name="feed_search_rss"),
    path("feeds/search.atom", SearchAtomFeed(), name="feed_search_atom"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("api/v2/", api_router.urls),
    path("contribute/", include("kb.contributions.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
