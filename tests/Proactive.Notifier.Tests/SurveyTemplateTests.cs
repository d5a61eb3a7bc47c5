using Proactive.Notifier.Messages;
using Proactive.Notifier.Messages.Templates;
using static Proactive.Notifier.Tests.News;

namespace Proactive.Notifier.Tests;

/// <summary>The survey as a template kind: shipped in five languages, overridable, checked like the others, and named by its notice.</summary>
public sealed class SurveyTemplateTests : IDisposable
{
    private static readonly string[] Links = [.. Enumerable.Range(1, 5).Select(i => $"https://hooks.example/v1/survey/t{i}")];

    private readonly string folder = Directory.CreateTempSubdirectory("proactive-survey-templates").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static CustomerContact Brazilian() => new("C-99", "João", "+5511987654321", "joao@example.com", "pt-BR", "America/Sao_Paulo", []);

    [Fact]
    public void TheShippedEnglishEmailIsTodaysTextExactly()
    {
        var mail = SurveyMessages.RenderEmail(Detected(English() with { Name = "Alex" }), "Shop", Links, TimeSpan.FromDays(7));

        mail.Subject.ShouldBe("How was the delivery of order A-1001?");
        mail.Text.ShouldBe(
            "Hello Alex,\n\nYour order A-1001 has arrived. How did we do?\nPick a score; one click is enough:\n\n"
            + "1 (poor): https://hooks.example/v1/survey/t1\n2: https://hooks.example/v1/survey/t2\n3: https://hooks.example/v1/survey/t3\n"
            + "4: https://hooks.example/v1/survey/t4\n5 (great): https://hooks.example/v1/survey/t5\n\nThe links work for 7 days.\nThank you!\n— Shop");
        mail.Html.ShouldNotBeNull().ShouldStartWith("<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><p>Hello Alex,</p><p><strong>Your order A-1001 has arrived. How did we do?</strong></p>");
        mail.Html.ShouldContain(">5 (great)</a>");
        mail.Html.ShouldEndWith("<p>Thank you!<br>— Shop</p></body></html>");
    }

    [Fact]
    public void AnEmailWithoutLinksSaysThankYouOnly()
    {
        var mail = SurveyMessages.RenderEmail(Detected(English() with { Name = "Alex" }), "Shop", [], TimeSpan.FromDays(1));

        mail.Text.ShouldBe("Hello Alex,\n\nYour order A-1001 has arrived. How did we do?\nThank you!\n— Shop");
        mail.Html.ShouldNotBeNull().ShouldNotContain("<a ");
    }

    [Fact]
    public void APortugueseCustomersSurveyIsPortugueseAndNamesItsTemplates()
    {
        var news = Detected(Brazilian());

        var sms = SurveyMessages.RenderSms(news, "Loja", 2);
        sms.Text.ShouldBe("[Loja] Seu pedido A-1001 foi entregue. Como nos saímos? Responda de 1 (ruim) a 5 (ótimo) e, se quiser, conte mais.");
        sms.Template.ShouldBe($"survey/sms/pt-BR@{TemplateCatalog.Shipped.Resolve(new TemplateKey("survey", "sms", "pt-BR")).Version}");
        sms.Template.ShouldStartWith("survey/sms/pt-BR@default:");

        var mail = SurveyMessages.RenderEmail(news, "Loja", Links, TimeSpan.FromDays(7));
        mail.Subject.ShouldBe("Como foi a entrega do pedido A-1001?");
        mail.Text.ShouldStartWith("Olá, João!");
        mail.Text.ShouldContain("1 (ruim): https://hooks.example/v1/survey/t1");
        mail.Text.ShouldContain("Os links valem por 7 dias.");
        mail.Template.ShouldNotBeNull().Split(' ').Select(t => t[..t.IndexOf('@', StringComparison.Ordinal)])
            .ShouldBe(["survey/email.subject/pt-BR", "survey/email.text/pt-BR", "survey/email.html/pt-BR"]);
    }

    [Theory]
    [InlineData("ja-JP", "ja", "ご注文 A-1001 のお届けが完了しました")]
    [InlineData("es-MX", "es", "Tu pedido A-1001 ha llegado.")]
    [InlineData("ko-KR", "ko", "주문 A-1001 배송이 완료됐어요.")]
    [InlineData("fr-FR", "en", "Order A-1001 has arrived.")]
    public void EveryShippedLanguageHasItsSurvey(string locale, string language, string expected)
    {
        var news = Detected(Brazilian() with { Locale = locale });

        var sms = SurveyMessages.RenderSms(news, "Shop", 3);
        sms.Text.ShouldContain(expected);
        sms.Template.ShouldNotBeNull().ShouldStartWith($"survey/sms/{language}@default:");
        var mail = SurveyMessages.RenderEmail(news, "Shop", Links, TimeSpan.FromDays(7));
        mail.Text.ShouldContain(Links[4]);
        mail.Html.ShouldNotBeNull().ShouldContain($"href=\"{Links[0]}\"");
    }

    [Fact]
    public void AFolderOverrideChangesTheNextSurveySms()
    {
        var catalog = new TemplateCatalog(folder, "Shop", 2, null);
        SurveyMessages.RenderSms(Detected(English()), "Shop", 2, catalog).Text.ShouldStartWith("[Shop] Order A-1001 has arrived.");

        Directory.CreateDirectory(Path.Combine(folder, "survey/sms"));
        File.WriteAllText(Path.Combine(folder, "survey/sms/en.liquid"), "{{ shop.name }}: rate order {{ order.id }} from 1 to 5, {{ customer.first_name }}!");
        catalog.RefreshFolder();

        var sms = SurveyMessages.RenderSms(Detected(English() with { Name = "Alex" }), "Shop", 2, catalog);
        sms.Text.ShouldBe("Shop: rate order A-1001 from 1 to 5, Alex!");
        sms.Template.ShouldBe($"survey/sms/en@file:{TemplateCatalog.Hash(File.ReadAllText(Path.Combine(folder, "survey/sms/en.liquid")))}");
        SurveyMessages.RenderSms(Detected(Korean()), "Shop", 2, catalog).Template.ShouldNotBeNull().ShouldStartWith("survey/sms/ko@default:");
    }

    [Fact]
    public void AStoredSurveyEmailUsesTheLinksAndDays()
    {
        var catalog = new TemplateCatalog(null, "Shop", 2, null);
        catalog.UseStored([new StoredTemplate(new TemplateKey("survey", "email.text", "en"), 3,
            "{% for link in survey.links %}{{ forloop.index }}={{ link }};{% endfor %} {{ survey.valid_days }}d {{ survey.links.size }}", "editor", Now, null)]);

        var mail = SurveyMessages.RenderEmail(Detected(English()), "Shop", Links, TimeSpan.FromDays(3), catalog);

        mail.Text.ShouldBe(string.Join("", Links.Select((l, i) => $"{i + 1}={l};")) + " 3d 5");
        mail.Template.ShouldNotBeNull().ShouldContain("survey/email.text/en@api-3");
    }

    [Fact]
    public void ASurveyTemplateNamingAnUnknownValueIsRefusedWithLineAndColumn()
    {
        var key = new TemplateKey("survey", "email.text", "en");

        TemplateCompiler.TryCompile(key, "Thanks\n{% for l in survey.links %}{{ l }}{% endfor %} {{ survey.token }}", "t", 2, "Shop", out _, out var problem).ShouldBeFalse();

        problem!.ToString().ShouldStartWith("line 2, column 51: unknown value 'survey.token'");
    }

    [Fact]
    public void ASurveySmsOverTheSegmentLimitIsRefused()
    {
        var key = new TemplateKey("survey", "sms", "en");

        TemplateCompiler.TryCompile(key, "[{{ shop.name }}] " + new string('x', 200), "t", 1, "Shop", out _, out var problem).ShouldBeFalse();

        problem!.Message.ShouldContain("segments");
    }

    [Fact]
    public void TheSurveyKindParsesAndItsSampleCarriesFiveLinks()
    {
        TemplateKey.TryParse("SURVEY", "email.html", "pt-br", out var key, out _).ShouldBeTrue();
        key!.ToString().ShouldBe("survey/email.html/pt-BR");

        var sample = TemplateCompiler.Sample(key, "Shop");
        sample.Kind.ShouldBe("SURVEY");
        sample.Survey.ShouldNotBeNull().Links.Count.ShouldBe(5);
    }
}
