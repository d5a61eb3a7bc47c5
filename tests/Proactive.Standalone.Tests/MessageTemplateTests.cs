using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Proactive.Notifier.Messages.Templates;
using Proactive.ServiceDefaults.Auth;
using Proactive.ServiceDefaults.Storage;
using static Proactive.Tests.Shared.ContractEvents;

namespace Proactive.Standalone.Tests;

/// <summary>Message templates through the API, stored on SQLite.</summary>
public sealed class MessageTemplateTestsOnSqlite : MessageTemplateTests
{
    protected override StoreKind Store => StoreKind.Sqlite;
}

/// <summary>The same, on PostgreSQL.</summary>
public sealed class MessageTemplateTestsOnPostgres : MessageTemplateTests
{
    protected override StoreKind Store => StoreKind.Postgres;
}

/// <summary>
/// A shop's own templates, end to end: an override folder, the API (checked, versioned, rolled
/// back), the preview, and the version each notice names.
/// </summary>
public abstract class MessageTemplateTests
{
    private static readonly DateTimeOffset Now = StandaloneHost.Start;
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, TimeSpan.FromHours(9));
    private static readonly DateTimeOffset SlippedEta = new(2026, 11, 28, 18, 0, 0, TimeSpan.FromHours(9));
    private static readonly string EditorKey = ApiKey.Mint();
    private static readonly string ReaderKey = ApiKey.Mint();

    protected abstract StoreKind Store { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject[] Scenario(string order, JsonObject? customer = null) =>
    [
        OrderPlaced(order, Now.AddHours(-3), Promise, customer, shipBy: Now.AddDays(1), id: $"{order}-placed"),
        ShipmentCreated(order, $"S-{order}", Now.AddHours(-1), Promise.AddHours(-3), id: $"{order}-created"),
        Tracking(order, $"S-{order}", Now.AddMinutes(-5), "IN_TRANSIT", SlippedEta, id: $"{order}-tracking-1"),
    ];

    private static JsonObject Brazilian() => new()
    {
        ["customerId"] = "C-55",
        ["name"] = "João",
        ["phone"] = "+5511987654321",
        ["email"] = "joao@example.com",
        ["locale"] = "pt-BR",
        ["timeZone"] = "America/Sao_Paulo",
    };

    private static string TemplateOf(JsonElement notices, string channel) =>
        notices.EnumerateArray().Single(n => n.GetProperty("channel").GetString() == channel).GetProperty("template").GetString()!;

    private static HttpContent Body(string source, string? note = null) => JsonContent.Create(new { source, note });

    [Fact]
    public async Task APutIsCheckedThenStoredAsTheNextVersionWhichTheNextNoticeUsesAndARestoreRollsBack()
    {
        await using var host = await StandaloneHost.StartAsync(store: Store);
        const string Route = "/v1/templates/delay/sms/ko";

        using var bad = await host.Client.PutAsync(Route, Body("[{{ shop.name }}]\n주문 {{ order.id }} 문의 {{ customer.phone }}"), Ct);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var error = await bad.Content.ReadFromJsonAsync<JsonElement>(Ct);
        (error.GetProperty("line").GetInt32(), error.GetProperty("column").GetInt32()).ShouldBe((2, 25));
        error.GetProperty("error").GetString()!.ShouldContain("customer.phone");
        (await host.Client.GetFromJsonAsync<JsonElement>(Route + "/versions", Ct)).GetArrayLength().ShouldBe(0);

        using var first = await host.Client.PutAsync(Route, Body("[{{ shop.name }}] 첫 번째 문구: 주문 {{ order.id }} {{ new_date }}", "launch"), Ct);
        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.Content.ReadAsStringAsync(Ct));
        (await first.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("name").GetString().ShouldBe("delay/sms/ko@api-1");

        await host.AcceptAsync(Scenario("T-1"));
        await host.DrainAsync();
        host.Twilio.Messages.ShouldHaveSingleItem().Body.ShouldBe("[Proactive] 첫 번째 문구: 주문 T-1 11월 28일(토)");
        TemplateOf(await host.NoticesAsync("T-1"), "SMS").ShouldBe("delay/sms/ko@api-1");
        TemplateOf(await host.NoticesAsync("T-1"), "EMAIL").ShouldStartWith("delay/email.subject/ko@default:");

        using var second = await host.Client.PutAsync(Route, Body("[{{ shop.name }}] 두 번째 문구 {{ order.id }}"), Ct);
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var restore = await host.Client.PostAsync(Route + "/versions/1:restore", null, Ct);
        restore.StatusCode.ShouldBe(HttpStatusCode.OK, await restore.Content.ReadAsStringAsync(Ct));

        var versions = (await host.Client.GetFromJsonAsync<JsonElement>(Route + "/versions", Ct)).EnumerateArray().ToList();
        versions.Select(v => v.GetProperty("version").GetInt64()).ShouldBe([3L, 2L, 1L]);
        versions[0].GetProperty("note").GetString().ShouldBe("restored version 1");
        versions[0].GetProperty("source").GetString()!.ShouldContain("첫 번째 문구");
        versions[2].GetProperty("note").GetString().ShouldBe("launch");
        versions.ShouldAllBe(v => v.GetProperty("createdAt").GetDateTimeOffset() == Now);
        var current = await host.Client.GetFromJsonAsync<JsonElement>(Route, Ct);
        current.GetProperty("name").GetString().ShouldBe("delay/sms/ko@api-3");
        current.GetProperty("origin").GetString().ShouldBe("api");

        using var missing = await host.Client.PostAsync(Route + "/versions/9:restore", null, Ct);
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ATemplateThatWouldMakeAFourSegmentSmsIsRefusedAndNothingStored()
    {
        await using var host = await StandaloneHost.StartAsync(store: Store, settings: new Dictionary<string, string?> { ["Proactive:Notices:MaxSmsSegments"] = "3" });
        var longText = "[{{ shop.name }}] {{ order.id }}\n" + string.Concat(Enumerable.Repeat("배송이 늦어져 정말 죄송합니다. ", 12));

        using var refused = await host.Client.PutAsync("/v1/templates/delay/sms/ko", Body(longText), Ct);

        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var error = await refused.Content.ReadFromJsonAsync<JsonElement>(Ct);
        error.GetProperty("line").GetInt32().ShouldBe(2);
        error.GetProperty("error").GetString()!.ShouldContain("the limit is 3");
        (await host.Client.GetFromJsonAsync<JsonElement>("/v1/templates/delay/sms/ko/versions", Ct)).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task ThePreviewShowsTheSmsSegmentsAndEncodingAndTheEmailHtml()
    {
        await using var host = await StandaloneHost.StartAsync(store: Store);

        using var sample = await host.Client.PostAsJsonAsync("/v1/templates/preview", new { kind = "DELAY", channel = "sms", language = "pt-BR" }, Ct);
        sample.StatusCode.ShouldBe(HttpStatusCode.OK, await sample.Content.ReadAsStringAsync(Ct));
        var sms = await sample.Content.ReadFromJsonAsync<JsonElement>(Ct);
        sms.GetProperty("text").GetString()!.ShouldStartWith("[Proactive] Pedido ORDER-2026-000123:");
        sms.GetProperty("segments").GetInt32().ShouldBe(Proactive.Notifier.Messages.SmsSegments.Count(sms.GetProperty("text").GetString()!));
        sms.GetProperty("segments").GetInt32().ShouldBe(2);
        sms.GetProperty("encoding").GetString().ShouldBe("UCS-2");
        sms.GetProperty("template").GetString()!.ShouldStartWith("delay/sms/pt-BR@default:");
        sms.GetProperty("sample").GetBoolean().ShouldBeTrue();

        using var draft = await host.Client.PostAsJsonAsync("/v1/templates/preview", new { kind = "delay", channel = "sms", language = "en", draft = "[{{ shop.name }}] {{ order.id }} is late, {{ new_date }}" }, Ct);
        var drafted = await draft.Content.ReadFromJsonAsync<JsonElement>(Ct);
        drafted.GetProperty("text").GetString().ShouldBe("[Proactive] ORDER-2026-000123 is late, Sat, Nov 28");
        drafted.GetProperty("segments").GetInt32().ShouldBe(1);
        drafted.GetProperty("encoding").GetString().ShouldBe("GSM-7");
        drafted.GetProperty("template").GetString().ShouldBe("delay/sms/en@draft");

        await host.AcceptAsync(Scenario("P-1", EnglishCustomer()));
        await host.DrainAsync();
        using var real = await host.Client.PostAsJsonAsync("/v1/templates/preview", new { kind = "delay", channel = "email.html", language = "es", orderId = "P-1" }, Ct);
        real.StatusCode.ShouldBe(HttpStatusCode.OK, await real.Content.ReadAsStringAsync(Ct));
        var email = await real.Content.ReadFromJsonAsync<JsonElement>(Ct);
        email.GetProperty("subject").GetString().ShouldBe("Tu pedido P-1 se ha retrasado");
        email.GetProperty("html").GetString()!.ShouldContain("Hola, Alex &lt;Morgan&gt; &amp; Co:");
        email.GetProperty("sample").GetBoolean().ShouldBeFalse();

        using var broken = await host.Client.PostAsJsonAsync("/v1/templates/preview", new { kind = "delay", channel = "sms", language = "en", draft = "{{ order.id" }, Ct);
        broken.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await broken.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("line").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task ABrazilianCustomerIsToldInPortugueseWithABrazilianDate()
    {
        await using var host = await StandaloneHost.StartAsync(store: Store);

        await host.AcceptAsync(Scenario("BR-1", Brazilian()));
        await host.DrainAsync();

        // 22:00 in São Paulo: the SMS waits for the end of the quiet hours.
        await host.AdvanceAsync(TimeSpan.FromHours(11));

        host.Twilio.Messages.ShouldHaveSingleItem().Body.ShouldBe(
            "[Proactive] Pedido BR-1: sua entrega está atrasada. Nova previsão: sáb, 28/11. Desculpe pela espera. https://shop.example/orders/BR-1");
        var mail = host.SendGrid.Mails.ShouldHaveSingleItem();
        mail.Subject.ShouldBe("Seu pedido BR-1 está atrasado");
        mail.Text.ShouldContain("Nova previsão de entrega: sábado, 28 de novembro");
        var notices = await host.NoticesAsync("BR-1");
        TemplateOf(notices, "SMS").ShouldStartWith("delay/sms/pt-BR@default:");
        TemplateOf(notices, "EMAIL").ShouldContain("delay/email.html/pt-BR@default:");
    }
}

/// <summary>The override folder and the template API's scope.</summary>
public sealed class TemplateFolderTests
{
    private static readonly DateTimeOffset Now = StandaloneHost.Start;
    private static readonly DateTimeOffset Promise = new(2026, 11, 26, 21, 0, 0, TimeSpan.FromHours(9));
    private static readonly DateTimeOffset SlippedEta = new(2026, 11, 28, 18, 0, 0, TimeSpan.FromHours(9));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject[] Scenario(string order) =>
    [
        OrderPlaced(order, Now.AddHours(-3), Promise, shipBy: Now.AddDays(1), id: $"{order}-placed"),
        ShipmentCreated(order, $"S-{order}", Now.AddHours(-1), Promise.AddHours(-3), id: $"{order}-created"),
        Tracking(order, $"S-{order}", Now.AddMinutes(-5), "IN_TRANSIT", SlippedEta, id: $"{order}-tracking-1"),
    ];

    [Fact]
    public async Task AnOverrideFolderChangesTheSmsOfTheNextNoticeAndAnEditIsPickedUpOnTheNextRefresh()
    {
        var folder = Directory.CreateTempSubdirectory("proactive-templates").FullName;
        var file = Path.Combine(folder, "delay", "sms", "ko.liquid");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, "[{{ shop.name }}] 고객님, 주문 {{ order.id }}이 늦어요. 새 예정일 {{ new_date }}. {{ tracking_link }}", Ct);
        await using var host = await StandaloneHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Proactive:Templates:Path"] = folder,
            ["Proactive:Templates:RefreshEvery"] = "00:01:00",
        });

        await host.AcceptAsync(Scenario("F-1"));
        await host.DrainAsync();

        host.Twilio.Messages.ShouldHaveSingleItem().Body.ShouldBe("[Proactive] 고객님, 주문 F-1이 늦어요. 새 예정일 11월 28일(토). https://shop.example/orders/F-1");
        var notices = await host.NoticesAsync("F-1");
        notices.EnumerateArray().Single(n => n.GetProperty("channel").GetString() == "SMS").GetProperty("template").GetString()
            .ShouldBe($"delay/sms/ko@file:{TemplateCatalog.Hash(await File.ReadAllTextAsync(file, Ct))}");

        // An edit with an error is refused and the last good version stays; a good edit is used after the next refresh.
        var refresher = host.Services.GetRequiredService<TemplateRefresher>();
        await File.WriteAllTextAsync(file, "[{{ shop.name }}] {{ customer.phone }}", Ct);
        await RefreshAsync(host, refresher);
        await host.AcceptAsync(Scenario("F-2"));
        await host.DrainAsync();
        host.Twilio.Messages.Last().Body.ShouldStartWith("[Proactive] 고객님, 주문 F-2이 늦어요.");

        await File.WriteAllTextAsync(file, "[{{ shop.name }}] 수정된 안내 {{ order.id }}", Ct);
        await RefreshAsync(host, refresher);
        await host.AcceptAsync(Scenario("F-3"));
        await host.DrainAsync();
        host.Twilio.Messages.Last().Body.ShouldBe("[Proactive] 수정된 안내 F-3");
    }

    /// <summary>Moves the clock past Proactive:Templates:RefreshEvery until the refresher has run.</summary>
    private static async Task RefreshAsync(StandaloneHost host, TemplateRefresher refresher)
    {
        // The refresher may not have started its wait yet: move the clock again until it has run.
        var refreshed = refresher.NextRefresh;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!refreshed.IsCompleted)
        {
            host.Time.Advance(TimeSpan.FromMinutes(1));
            await Task.WhenAny(refreshed, Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token));
            timeout.Token.ThrowIfCancellationRequested();
        }
    }

    [Fact]
    public async Task TheHostRefusesToStartWithABadTemplateFileNamingFileLineAndColumn()
    {
        var folder = Directory.CreateTempSubdirectory("proactive-templates").FullName;
        Directory.CreateDirectory(Path.Combine(folder, "delay", "sms"));
        await File.WriteAllTextAsync(Path.Combine(folder, "delay", "sms", "en.liquid"), "[{{ shop.name }}]\n{% if new_date %}{{ new_date }}", Ct);

        var (exitCode, output) = await StartRefusals.RunAsync(("Proactive:Templates:Path", folder));

        exitCode.ShouldNotBe(0);
        output.ShouldContain("Proactive:Templates:Path: delay/sms/en.liquid: line 2, column");
        output.ShouldContain("does not parse");
    }

    [Fact]
    public async Task StoringATemplateNeedsTheTemplatesWriteScopeAndRecordsWhoStoredIt()
    {
        var editorKey = ApiKey.Mint();
        var readerKey = ApiKey.Mint();
        await using var host = await StandaloneHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Proactive:Auth:Mode"] = "Required",
            ["Proactive:Auth:ApiKeys:editor:Hash"] = ApiKey.Hash(editorKey),
            ["Proactive:Auth:ApiKeys:editor:Scopes"] = Scopes.TemplatesWrite,
            ["Proactive:Auth:ApiKeys:reader:Hash"] = ApiKey.Hash(readerKey),
            ["Proactive:Auth:ApiKeys:reader:Scopes"] = $"{Scopes.OrdersRead} {Scopes.NoticesRead}",
        });

        async Task<HttpResponseMessage> PutAsync(string? key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/templates/back_on_track/email.subject/en")
            {
                Content = JsonContent.Create(new { source = "Good news about order {{ order.id }}" }),
            };
            if (key is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
            }

            return await host.Client.SendAsync(request, Ct);
        }

        using var anonymous = await PutAsync(null);
        using var reader = await PutAsync(readerKey);
        using var editor = await PutAsync(editorKey);

        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        reader.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        editor.StatusCode.ShouldBe(HttpStatusCode.OK);
        var stored = await editor.Content.ReadFromJsonAsync<JsonElement>(Ct);
        stored.GetProperty("createdBy").GetString().ShouldBe("editor");
        stored.GetProperty("name").GetString().ShouldBe("back_on_track/email.subject/en@api-1");
    }
}
