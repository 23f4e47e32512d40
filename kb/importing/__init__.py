"""The one importer of Markdown content files (INTERFACES.md §3), split where the work splits:

- `reading`: finding files, decoding, front matter;
- `validating`: each file's common keys and body (`FileValidator`), every file of a run
  (`validate_files`); a type's own keys by its rules (`rules`, in the type's app);
- `resolving`: references by slug or title, in the run or in the site, and checks across files;
- `writing`: all or nothing in one transaction; every page written, then published, then the
  lifecycle and indexes once for the run (`import_files`).

`import_content` and the admin upload (`upload`, `admin_views`) both go through `import_files`.
A dry run performs the whole import and rolls it back, so it catches everything a real run would.
"""
