//! End-to-end tests of the facade on small hand-written Swedish pages.

use super::*;

const ARTICLE_PARAS: [&str; 4] = [
    "Kommunfullmäktige i Västerås beslutade på måndagskvällen att bygga en ny simhall vid Kokpunkten, efter en debatt som pågick i nästan fyra timmar.",
    "Beslutet fattades med röstsiffrorna 41 mot 24, och oppositionen reserverade sig mot finansieringen, som enligt dem vilar på alltför optimistiska antaganden om ränteläget.",
    "Enligt förvaltningens kalkyl kommer bygget att kosta omkring 620 miljoner kronor, och hallen väntas kunna öppna för allmänheten under hösten 2027.",
    "Simklubbarna i staden har länge klagat på bristen på banor, och flera föreningar har tvingats säga nej till nya medlemmar under de senaste åren.",
];

fn boilerplate_page() -> String {
    format!(
        r##"<!doctype html><html lang="sv"><head><title>Ny simhall i Västerås | Lokalbladet</title>
<meta property="og:title" content="Ny simhall klubbad i Västerås">
<meta property="article:published_time" content="2024-02-12T21:40:00+01:00">
</head><body>
<div id="cookie-consent" class="cookie-banner"><p>Vi använder cookies för att förbättra din upplevelse på sajten. Genom att fortsätta godkänner du detta, vilket du kan läsa mer om i vår policy.</p><button>Godkänn</button></div>
<header class="site-header"><nav class="main-menu"><ul><li><a href="/">Nyheter</a></li><li><a href="/sport">Sport</a></li><li><a href="/noje">Nöje</a></li></ul></nav></header>
<main><article class="article">
<h1>Ny simhall klubbad i Västerås</h1>
<p class="byline">Av Karin Ek</p>
<p>Publicerad 12 februari 2024 kl 21.40</p>
<figure><img src="a.jpg"><figcaption>Så här kan den nya hallen se ut. Foto: Arkitektbyrån</figcaption></figure>
<div class="article-body">
<p>{}</p>
<p>{}</p>
<div class="las-ocksa"><h3>Läs också</h3><ul><li><a href="/a">Badhuset stänger i sommar</a></li><li><a href="/b">Så mycket kostar simskolan</a></li></ul></div>
<p>{}</p>
<p>Läs också: <a href="/c">Politikerna oeniga om idrottsbudgeten</a></p>
<div class="ad-slot"><p>Annons</p></div>
<p>{}</p>
</div>
<div class="share-tools"><a href="#">Dela på Facebook</a> <a href="#">Dela på X</a></div>
</article>
<section class="comments"><h2>Kommentarer</h2><div class="comment"><p>Äntligen, det här har vi väntat på i många år, tycker jag som har simmat i den gamla hallen sedan sjuttiotalet.</p></div></section>
</main>
<aside class="sidebar"><h2>Mest läst</h2><ol><li><a href="/x">Trafikolycka på E18 i morse, två personer förda till sjukhus</a></li></ol></aside>
<footer class="site-footer"><p>Lokalbladet, Box 123, 721 00 Västerås. Ansvarig utgivare: Per Holm. Alla rättigheter förbehållna, kopiering förbjuden.</p></footer>
</body></html>"##,
        ARTICLE_PARAS[0], ARTICLE_PARAS[1], ARTICLE_PARAS[2], ARTICLE_PARAS[3]
    )
}

#[test]
fn boilerplate_page_gives_clean_text() {
    let out = extract(&boilerplate_page(), None).unwrap();
    assert_eq!(out.method, Method::Generic);
    assert_eq!(out.text, ARTICLE_PARAS.join("\n\n"));
    assert_eq!(out.title.as_deref(), Some("Ny simhall klubbad i Västerås"));
}

#[test]
fn published_time_meta_is_read() {
    let out = extract(&boilerplate_page(), None).unwrap();
    let d = out.published.expect("date");
    assert_eq!(d.to_rfc3339(), "2024-02-12T21:40:00+01:00");
}

fn jsonld_page(body: &str) -> String {
    format!(
        r#"<html><head><script type="application/ld+json">
{{"@context":"https://schema.org","@graph":[{{"@type":"WebPage","name":"Sidan"}},
 {{"@type":"NewsArticle","headline":"Isläggning försenad i Luleå","datePublished":"2023-12-01T06:05:00+01:00",
   "articleBody":"{body}"}}]}}
</script></head><body><nav><a href="/">Start</a></nav><article>
<p>Isen på Luleälven har ännu inte lagt sig, och kommunen skjuter därför upp öppnandet av isvägen till Hertsön.</p>
<p>Det milda vädret väntas hålla i sig hela nästa vecka, enligt SMHI.</p></article></body></html>"#
    )
}

#[test]
fn jsonld_article_body_is_preferred_when_complete() {
    let body = "Isen på Luleälven har ännu inte lagt sig, och kommunen skjuter därför upp öppnandet av isvägen till Hertsön.\\nDet milda vädret väntas hålla i sig hela nästa vecka, enligt SMHI. Kommunen följer utvecklingen dagligen och mäter istjockleken på flera platser längs sträckan.";
    let out = extract(&jsonld_page(body), None).unwrap();
    assert_eq!(out.method, Method::JsonLd);
    assert!(out.text.starts_with("Isen på Luleälven"));
    assert!(out.text.contains("\n\nDet milda vädret"));
    assert_eq!(out.title.as_deref(), Some("Isläggning försenad i Luleå"));
    assert_eq!(out.published.unwrap().to_rfc3339(), "2023-12-01T06:05:00+01:00");
}

#[test]
fn truncated_jsonld_teaser_loses_to_the_page() {
    let out = extract(&jsonld_page("Isen har inte lagt sig."), None).unwrap();
    assert_eq!(out.method, Method::Generic);
    assert!(out.text.contains("enligt SMHI"));
    assert!(!out.text.contains("Start"));
}

#[test]
fn site_selector_is_used() {
    let html = r#"<html><body>
<div class="puff"><p>En helt annan text om något annat som också är ganska lång, med kommatecken, och fler ord än brödtexten.</p>
<p>Ännu ett långt stycke som en generisk algoritm gärna skulle välja, eftersom det är längre, har fler kommatecken, och fler stycken.</p></div>
<div class="brodtext"><p>Den riktiga artikeln är kort.</p></div></body></html>"#;
    let out = extract(html, Some("div.brodtext")).unwrap();
    assert_eq!(out.method, Method::Selector);
    assert_eq!(out.text, "Den riktiga artikeln är kort.");

    // A selector that matches nothing falls back to the generic scorer.
    let out = extract(html, Some("div.finns-inte")).unwrap();
    assert_eq!(out.method, Method::Generic);
    assert!(out.text.contains("En helt annan text"));
}

#[test]
fn bad_selector_is_an_error() {
    assert!(check_selector("article .brodtext p").is_ok());
    let err = extract("<p>hej</p>", Some("p[")).unwrap_err();
    assert!(err.to_string().starts_with("invalid CSS selector \"p[\""));
    assert!(check_selector("").is_err());
}

#[test]
fn garbage_input_does_not_panic() {
    let empty = extract("", None).unwrap();
    assert_eq!(empty.method, Method::Empty);
    assert_eq!(empty.text, "");
    assert_eq!(empty.title, None);
    assert_eq!(empty.published, None);

    let binary: String = (0u8..=255).map(char::from).cycle().take(10_000).collect();
    for input in [
        "bara lite text utan någon markup alls",
        "<<<>>><div><p><b>trasig</p></i></div></html><html>",
        "<script>var a = '</div>';</script><p",
        r#"<script type="application/ld+json">{"@type":"NewsArticle","articleBody":</script>"#,
        &binary,
    ] {
        let _ = extract(input, None).unwrap();
        let _ = extract(input, Some("p")).unwrap();
    }
}

#[test]
fn large_page_is_handled() {
    let para = "<p>Ett stycke text om väder, vind och vatten som upprepas många gånger.</p>";
    let html = format!("<html><body><div>{}</div></body></html>", para.repeat(70_000));
    assert!(html.len() > 5_000_000);
    let out = extract(&html, None).unwrap();
    assert_eq!(out.method, Method::Generic);
    assert!(out.text.len() > 4_000_000);
}

#[test]
fn method_serializes_snake_case() {
    assert_eq!(serde_json::to_string(&Method::JsonLd).unwrap(), "\"json_ld\"");
    assert_eq!(serde_json::to_string(&Method::Empty).unwrap(), "\"empty\"");
}

#[test]
fn hostile_nesting_stays_fast() {
    let html = "<div>".repeat(200_000) + "<p>Texten längst in i labyrinten, som ska komma med ut.</p>";
    let t = std::time::Instant::now();
    let out = extract(&html, None).unwrap();
    assert!(out.text.contains("labyrinten"));
    // Unguarded, the parser needs minutes here.
    assert!(t.elapsed() < std::time::Duration::from_secs(20));
}
