using System.Globalization;
using System.Net;
using System.Text;
using Proactive.Notifier.Messages;

namespace Proactive.Notifier.Survey;

/// <summary>
/// The survey's landing page: plain HTML, every value encoded, no script and nothing loaded from
/// elsewhere (the headers of <see cref="SurveyLanding"/> forbid it anyway). Pure.
/// </summary>
public static class SurveyPage
{
    private const string Style =
        "body{font-family:sans-serif;max-width:34em;margin:2em auto;padding:0 1em;line-height:1.5}"
        + "textarea{width:100%;box-sizing:border-box}label{margin-right:1em}button{margin-top:1em;padding:.5em 1.5em}";

    /// <summary>Thanks for the score, and a form to change it or to say more (posted to the page's own address).</summary>
    public static string Scored(string? locale, int score, int maxComment)
    {
        var t = SurveyTexts.For(locale);
        var body = new StringBuilder()
            .Append("<p>").Append(E(t.ThanksForScore(score))).Append("</p>")
            .Append("<form method=\"post\">")
            .Append("<fieldset><legend>").Append(E(t.ChangeScore)).Append("</legend>");
        for (var s = 1; s <= 5; s++)
        {
            var value = s.ToString(CultureInfo.InvariantCulture);
            body.Append("<label><input type=\"radio\" name=\"score\" value=\"").Append(value).Append('"')
                .Append(s == score ? " checked" : "").Append("> ").Append(E(t.ScoreLabel(s))).Append("</label>");
        }

        body.Append("</fieldset>")
            .Append("<p><label for=\"comment\">").Append(E(t.TellUsMore)).Append("</label></p>")
            .Append("<textarea id=\"comment\" name=\"comment\" rows=\"5\" maxlength=\"").Append(maxComment.ToString(CultureInfo.InvariantCulture)).Append("\"></textarea>")
            .Append("<button type=\"submit\">").Append(E(t.Send)).Append("</button></form>");
        return Page(locale, t.PageTitle, body.ToString());
    }

    public static string Commented(string? locale) => Message(locale, SurveyTexts.For(locale).ThanksForComment);

    public static string Expired(string? locale) => Message(locale, SurveyTexts.For(locale).Expired);

    /// <summary>A link that is not ours, in both languages: nothing says whose it would be.</summary>
    public static string NotFound() =>
        Page(null, $"{SurveyTexts.Korean.PageTitle} / {SurveyTexts.English.PageTitle}", $"<p>{E(SurveyTexts.Korean.NotFound)}</p><p>{E(SurveyTexts.English.NotFound)}</p>");

    private static string Message(string? locale, string text) => Page(locale, SurveyTexts.For(locale).PageTitle, $"<p>{E(text)}</p>");

    private static string Page(string? locale, string title, string body) =>
        new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"").Append(locale is null ? "en" : Languages.For(locale) == Language.Korean ? "ko" : "en").Append("\"><head>")
            .Append("<meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\">")
            .Append("<title>").Append(E(title)).Append("</title><style>").Append(Style).Append("</style></head><body>")
            .Append("<h1>").Append(E(title)).Append("</h1>").Append(body).Append("</body></html>")
            .ToString();

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
