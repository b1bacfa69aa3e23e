/**
 * The page around every dashboard view, and its one stylesheet. No script at all: the pages work
 * without JavaScript, and the Content-Security-Policy (dashboard-server.ts) forbids inline script.
 */
import { html, type SafeHtml } from './html.ts';

export const STYLESHEET_PATH = '/assets/dashboard.css';

/** `head`: more elements for `<head>`, e.g. a `<link rel="alternate">` to a page's feeds. */
export function layout(title: string, body: SafeHtml, head: SafeHtml | null = null): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ceasefire-watch</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
<link rel="icon" href="data:,">
${head}
</head>
<body>
<header><a class="home" href="/">ceasefire-watch</a>
<nav><a href="/">Stories</a> <a href="/tracker">Tracker</a> <a href="/feeds">Feeds</a> <a href="/alerts">Alerts</a> <a href="/digests">Digests</a> <a href="/rules">Rules</a> <a href="/queues">Queues</a> <a href="/openapi.json">API</a> <a href="/login">Log in</a></nav></header>
<main><h1>${title}</h1>
${body}
</main>
</body>
</html>
`.value;
}

export const STYLESHEET = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d2329; background: #fafafa; }
header { display: flex; gap: 2em; align-items: baseline; padding: .6em 1.2em; background: #1d2329; }
header a { color: #f2f2f2; text-decoration: none; margin-right: 1em; }
header .home { font-weight: 600; }
main { max-width: 60em; margin: 0 auto; padding: 1em 1.2em 3em; }
h1 { font-size: 1.4em; }
form.filters { display: flex; flex-wrap: wrap; gap: .6em 1em; align-items: end; padding: .8em; background: #fff; border: 1px solid #ddd; }
form.filters label { display: flex; flex-direction: column; font-size: .85em; color: #555; }
form.filters label.check { flex-direction: row; gap: .3em; align-items: center; }
ol.stories { list-style: none; padding: 0; }
li.story { background: #fff; border: 1px solid #e2e2e2; margin: .6em 0; padding: .6em .9em; }
li.story h3 { margin: 0 0 .2em; font-size: 1.05em; }
.meta { margin: 0; font-size: .85em; color: #555; display: flex; flex-wrap: wrap; gap: .4em; align-items: center; }
.tag { padding: 0 .45em; border-radius: .7em; text-decoration: none; font-size: .9em; }
.tag.actor { background: #e3eefc; color: #123d73; }
.tag.phase { background: #fdf0d9; color: #6b4300; }
.badge { background: #e4f4e4; color: #1c5c1c; padding: 0 .45em; border-radius: .7em; }
.snippet { margin: .3em 0; color: #333; }
mark { background: #fff1a8; }
ul.sources { margin: .3em 0 0; padding-left: 1.1em; font-size: .9em; }
.feed { color: #777; font-size: .85em; }
nav.pages { display: flex; gap: 1em; }
.article-text { white-space: pre-wrap; background: #fff; border: 1px solid #e2e2e2; padding: .8em 1em; }
mark.actor { background: #cfe2fb; }
mark.phase { background: #fde3b0; }
.tag-evidence { margin: .4em 0; }
.tag-evidence blockquote { margin: .2em 0 0 1em; color: #444; font-size: .92em; }
.count { color: #666; font-size: .85em; }
table.feeds { border-collapse: collapse; width: 100%; background: #fff; font-size: .9em; }
table.feeds th, table.feeds td { border: 1px solid #e2e2e2; padding: .3em .5em; text-align: left; vertical-align: top; }
tr.feed-failing td:nth-child(2) { color: #a11; font-weight: 600; }
td.error { color: #a11; }
.notice { background: #e4f4e4; border: 1px solid #b8dcb8; padding: .4em .7em; }
p.error { background: #fbe9e9; border: 1px solid #e5b5b5; padding: .4em .7em; color: #a11; }
form.inline { display: inline; margin: 0; }
tr.feed-paused td { color: #777; }
ul.why { margin: .2em 0 .4em 1em; padding-left: 1em; font-size: .88em; color: #444; }
ul.why .rule { font-family: ui-monospace, monospace; background: #eef; padding: 0 .3em; }
ul.why .refused { color: #8a4b00; }
table.counts td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.counts td.zero { color: #aaa; }
.status { padding: 0 .45em; border-radius: .7em; font-size: .9em; }
.status-sent { background: #e4f4e4; color: #1c5c1c; }
.status-failed { background: #fbe3e3; color: #a11; }
.status-held { background: #fdf0d9; color: #6b4300; }
.status-pending, .status-sending { background: #eceff3; color: #333; }
dl.rule { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; margin: .4em 0 0; font-size: .9em; }
dl.rule dt { color: #555; }
dl.rule dd { margin: 0; }
code.expression { white-space: pre-wrap; }
svg.timeline { display: block; max-width: 100%; height: auto; background: #fff; border: 1px solid #e2e2e2; }
svg.timeline a.day:hover rect.bar, svg.timeline a.day:focus rect.bar { fill: #e69138; }
svg.timeline a.tag:hover text, svg.timeline a.tag:focus text { text-decoration: underline; }
p.empty { padding: .8em; background: #fff; border: 1px solid #e2e2e2; color: #555; }
`;
