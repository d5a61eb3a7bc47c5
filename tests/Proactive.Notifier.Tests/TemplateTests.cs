using Microsoft.Extensions.Logging;
using Proactive.Contracts.Tracker.V1;
using Proactive.Notifier.Messages;
using Proactive.Notifier.Messages.Templates;
using static Proactive.Notifier.Tests.News;

namespace Proactive.Notifier.Tests;

/// <summary>Message templates: what a template may use, refusals with line and column, languages and versions.</summary>
public sealed class TemplateTests : IDisposable
{
    private static readonly NoticePolicyOptions Options = new() { SenderName = "Shop", AllowedLinkHosts = ["shop.example"], MaxSmsSegments = 3 };
    private static readonly TemplateKey DelaySmsEnglish = new("delay", "sms", "en");

    private readonly string folder = Directory.CreateTempSubdirectory("proactive-templates").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static TemplateProblem Refused(TemplateKey key, string source, int maxSegments = 3)
    {
        TemplateCompiler.TryCompile(key, source, "test", maxSegments, "Shop", out var template, out var problem).ShouldBeFalse();
        template.ShouldBeNull();
        return problem!;
    }

    private static CustomerContact Brazilian() => new("C-99", "João", "+5511987654321", "joao@example.com", "pt-BR", "America/Sao_Paulo", []);

    [Fact]
    public void AnUnknownValueIsRefusedWithItsLineAndColumn()
    {
        var problem = Refused(DelaySmsEnglish, "Hello {{ customer.first_name }}\n  call {{ customer.phone }} now");

        problem.Line.ShouldBe(2);
        problem.Column.ShouldBe(11);
        problem.Message.ShouldContain("customer.phone");
        problem.ToString().ShouldStartWith("line 2, column 11: unknown value 'customer.phone'");
    }

    [Theory]
    [InlineData("{% if brief %}{{ secret }}{% endif %}", 1, 18, "secret")]
    [InlineData("{{ order['id'] }}", 1, 4, "cannot be indexed")]
    [InlineData("x\n{{ reason | shout }}", 2, 11, "unknown filter 'shout'")]
    [InlineData("{% include 'other' %}", 1, 4, "include is not allowed")]
    [InlineData("{{ shop.owner }}", 1, 4, "shop.owner")]
    public void NamesOutsideTheModelAreRefusedEvenInBranchesNotTaken(string source, int line, int column, string message)
    {
        var problem = Refused(DelaySmsEnglish, source);

        (problem.Line, problem.Column).ShouldBe((line, column));
        problem.Message.ShouldContain(message);
    }

    [Fact]
    public void WhatATemplateAssignsItselfItMayUse()
    {
        TemplateCompiler.TryCompile(
            DelaySmsEnglish, "{% assign who = shop.name | upcase %}{% for i in (1..2) %}{{ i }}{{ forloop.index }}{% endfor %}{{ who }} {{ reason | upcase_first }}", "t", 3, "Shop", out var template, out var problem)
            .ShouldBeTrue(problem?.ToString());
        template!.Name.ShouldBe("delay/sms/en@t");
    }

    [Fact]
    public void ASyntaxErrorIsRefusedWithItsLineAndColumn()
    {
        var problem = Refused(DelaySmsEnglish, "[{{ shop.name }}] Order {{ order.id }}:\n{% if new_date %}New estimate: {{ new_date }}.");

        problem.Line.ShouldBe(2);
        problem.Column.ShouldBeGreaterThan(1);
        problem.Message.ShouldStartWith("does not parse:");
        problem.Message.ShouldContain("endif");
    }

    [Fact]
    public void AnSmsOfFourSegmentsIsRefusedWhereItGoesOver()
    {
        // GSM-7: three segments carry 459 characters. The second line takes the text past them.
        var source = "[{{ shop.name }}] Order {{ order.id }}: {{ reason }}\n" + new string('x', 300) + " " + new string('y', 200);

        var problem = Refused(DelaySmsEnglish, source, maxSegments: 3);

        problem.Line.ShouldBe(2);
        problem.Column.ShouldBeInRange(380, 420);
        problem.Message.ShouldContain("4 segments");
        problem.Message.ShouldContain("the limit is 3");
        TemplateCompiler.TryCompile(DelaySmsEnglish, source, "t", 4, "Shop", out _, out _).ShouldBeTrue();
    }

    [Fact]
    public void AKoreanSmsIsCountedAsUcs2()
    {
        // 150 Hangul characters: three UCS-2 segments (67 each) would hold 201, two hold 134.
        var source = "[{{ shop.name }}] " + string.Concat(Enumerable.Repeat("배송안내", 38));

        Refused(new TemplateKey("delay", "sms", "ko"), source, maxSegments: 2).Message.ShouldContain("3 segments");
        Refused(new TemplateKey("delay", "sms", "en"), source, maxSegments: 2).Message.ShouldContain("3 segments");
    }

    [Fact]
    public void ACustomerNameThatLooksLikeTemplateCodeIsPrintedLiterallyAndEncodedInHtml()
    {
        var news = Detected(English() with { Name = "{{ 7*7 }}<script>" });

        var email = NoticeRenderer.Render(Channel.Email, NoticeKind.Delay, news, Options);

        email.Text.ShouldStartWith("Hello {{ 7*7 }}<script>,");
        email.Html!.ShouldContain("Hello {{ 7*7 }}&lt;script&gt;,");
        email.Html!.ShouldNotContain("<script>");
        email.Html!.ShouldNotContain("49");
        email.Text.ShouldNotContain("49");
    }

    [Fact]
    public void ABrazilianCustomerReadsPortugueseWithBrazilianDates()
    {
        var news = Detected(Brazilian());

        var sms = NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news, Options);
        var email = NoticeRenderer.Render(Channel.Email, NoticeKind.Delay, news, Options);

        sms.Text.ShouldBe("[Shop] Pedido A-1001: sua entrega está atrasada. Nova previsão: sáb, 28/11. Desculpe pela espera. https://shop.example/orders/A-1001");
        sms.Template!.ShouldStartWith("delay/sms/pt-BR@default:");
        email.Subject.ShouldBe("Seu pedido A-1001 está atrasado");
        email.Text.ShouldStartWith("Olá, João!");
        email.Text.ShouldContain("Data de entrega prometida: quinta-feira, 26 de novembro");
        email.Text.ShouldContain("Nova previsão de entrega: sábado, 28 de novembro");
        email.Html!.ShouldContain("lang=\"pt-BR\"");
    }

    [Fact]
    public void JapaneseAndSpanishCustomersReadTheirLanguageAndDateForm()
    {
        var ja = NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, Detected(Brazilian() with { Locale = "ja-JP", TimeZone = "Asia/Tokyo" }), Options);
        var es = NoticeRenderer.Render(Channel.Email, NoticeKind.Delay, Detected(Brazilian() with { Locale = "es-MX", TimeZone = "America/Mexico_City" }), Options);

        ja.Text.ShouldContain("新しいお届け予定日: 11月28日(土)。");
        ja.Template!.ShouldStartWith("delay/sms/ja@default:");
        es.Text.ShouldContain("Nueva fecha estimada de entrega: sábado, 28 de noviembre");
        es.Template!.ShouldStartWith("delay/email.subject/es@default:");
    }

    [Theory]
    [InlineData("pt-BR", "pt-BR")]
    [InlineData("pt-PT", "pt-BR")]
    [InlineData("pt", "pt-BR")]
    [InlineData("es-MX", "es")]
    [InlineData("ja-JP", "ja")]
    [InlineData("ko-KR", "ko")]
    [InlineData("en-GB", "en")]
    [InlineData("fr-FR", "en")]
    [InlineData(null, "en")]
    public void ALocaleFallsBackToItsLanguageThenEnglish(string? locale, string language)
    {
        TemplateLanguages.For(locale).ShouldBe(language);
        TemplateLanguages.FallbackFor(locale)[^1].ShouldBe("en");
    }

    [Fact]
    public void EveryShippedTemplateRendersEveryKindInItsLanguage()
    {
        foreach (var language in TemplateLanguages.Supported)
        {
            foreach (var kind in new[] { NoticeKind.Delay, NoticeKind.FurtherDelay, NoticeKind.AtRisk, NoticeKind.ActionRequired, NoticeKind.BackOnTrack })
            {
                var news = Detected(Brazilian() with { Locale = language });
                var sms = NoticeRenderer.Render(Channel.Sms, kind, news, Options);
                var email = NoticeRenderer.Render(Channel.Email, kind, news, Options);

                sms.Text.ShouldStartWith("[Shop] ");
                sms.Text.ShouldNotContain("{");
                sms.Template!.ShouldBe($"{TemplateKey.KindOf(kind)}/sms/{language}@{TemplateCatalog.Shipped.Default(new TemplateKey("delay", "sms", language)).Version}");
                email.Subject.ShouldNotBeNullOrWhiteSpace();
                email.Text.ShouldEndWith("— Shop");
                email.Html!.ShouldContain("https://shop.example/orders/A-1001");
            }
        }
    }

    [Fact]
    public void AnOverrideFileWinsOverTheDefaultAndAStoredVersionOverTheFile()
    {
        Write("delay/sms/en.liquid", "[{{ shop.name }}] Sorry, {{ order.id }} is late. {{ tracking_link }}");
        var catalog = new TemplateCatalog(folder, "Shop", 3, null);

        var fromFile = NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, Detected(English()), Options, catalog);
        fromFile.Text.ShouldBe("[Shop] Sorry, A-1001 is late. https://shop.example/orders/A-1001");
        fromFile.Template.ShouldBe($"delay/sms/en@file:{TemplateCatalog.Hash(File.ReadAllText(Path.Combine(folder, "delay/sms/en.liquid")))}");
        NoticeRenderer.Render(Channel.Sms, NoticeKind.FurtherDelay, Detected(English()), Options, catalog).Template!.ShouldStartWith("further_delay/sms/en@default:");

        catalog.UseStored([new StoredTemplate(DelaySmsEnglish, 7, "[{{ shop.name }}] v7 {{ order.id }}", "editor", Now, null)]);

        var stored = NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, Detected(English()), Options, catalog);
        stored.Text.ShouldBe("[Shop] v7 A-1001");
        stored.Template.ShouldBe("delay/sms/en@api-7");
    }

    [Fact]
    public void ABadFileInTheFolderIsRefusedNamingFileLineAndColumn()
    {
        Write("delay/sms/pt-BR.liquid", "Olá\n{{ customer.phone }}");

        var refusal = Should.Throw<InvalidOperationException>(() => new TemplateCatalog(folder, "Shop", 3, null));

        refusal.Message.ShouldContain("delay/sms/pt-BR.liquid: line 2, column 4: unknown value 'customer.phone'");
    }

    [Fact]
    public void AFileThatNamesNoTemplateIsRefused()
    {
        Write("delay/sms/fr.liquid", "Bonjour");

        Should.Throw<InvalidOperationException>(() => new TemplateCatalog(folder, "Shop", 3, null)).Message.ShouldContain("language: 'fr'");
    }

    [Fact]
    public void ABadEditIsLoggedAndTheLastGoodVersionKept()
    {
        Write("delay/sms/en.liquid", "[{{ shop.name }}] first {{ order.id }}");
        var logs = new ListLogger();
        var catalog = new TemplateCatalog(folder, "Shop", 3, null, logs);

        Write("delay/sms/en.liquid", "[{{ shop.name }}] second {% if %}");
        catalog.RefreshFolder();

        catalog.Resolve(DelaySmsEnglish).Source.ShouldContain("first");
        logs.Lines.ShouldHaveSingleItem().ShouldContain("delay/sms/en.liquid");

        Write("delay/sms/en.liquid", "[{{ shop.name }}] third {{ order.id }}");
        catalog.RefreshFolder();
        catalog.Resolve(DelaySmsEnglish).Source.ShouldContain("third");

        File.Delete(Path.Combine(folder, "delay/sms/en.liquid"));
        catalog.RefreshFolder();
        catalog.Resolve(DelaySmsEnglish).Version.ShouldStartWith("default:");
    }

    [Fact]
    public void AnOverriddenSmsStillShortensToTheLimitWithLongValues()
    {
        var catalog = new TemplateCatalog(null, "Shop", 1, null);
        catalog.UseStored([new StoredTemplate(DelaySmsEnglish, 1, "[{{ shop.name }}] Order {{ order.id }}: {{ reason }}{% unless brief %} We are so sorry.{% endunless %} {{ tracking_link }}", "editor", Now, null)]);
        var news = Detected(English(), reason: DelayReason.CarrierException, code: "DAMAGED") with
        {
            OrderId = "ORDER-2026-000123456",
            TrackingUrl = "https://shop.example/orders/ORDER-2026-000123456?utm_source=sms-notice&utm_campaign=delay",
        };

        var sms = NoticeRenderer.Render(Channel.Sms, NoticeKind.Delay, news, new NoticePolicyOptions { SenderName = "Shop", AllowedLinkHosts = ["shop.example"], MaxSmsSegments = 1 }, catalog);

        SmsSegments.Count(sms.Text).ShouldBe(1);
        sms.Text.ShouldNotContain("so sorry");
        sms.Text.ShouldEndWith(news.TrackingUrl);
        sms.Template.ShouldBe("delay/sms/en@api-1");
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
