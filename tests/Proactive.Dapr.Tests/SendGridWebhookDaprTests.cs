using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Proactive.Notifier.Store;
using Proactive.Tests.Shared;
using NotifierProgram = Proactive.Notifier.Program;

namespace Proactive.Dapr.Tests;

/// <summary>Hosted on Dapr, Notifier serves SendGrid's Event Webhook on its own HTTP port, verified the same way.</summary>
public sealed class SendGridWebhookDaprTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 24, 1, 0, 0, TimeSpan.Zero));
    private FakeSidecar sidecar = null!;
    private FakeSendGrid sendGrid = null!;
    private DaprServiceHost<NotifierProgram> notifier = null!;

    public async ValueTask InitializeAsync()
    {
        sidecar = await FakeSidecar.StartAsync();
        sendGrid = await FakeSendGrid.StartAsync();
        notifier = DaprServiceHost<NotifierProgram>.Start(sidecar, time, sendGrid: sendGrid);
    }

    public async ValueTask DisposeAsync()
    {
        await notifier.DisposeAsync();
        await sidecar.DisposeAsync();
        await sendGrid.DisposeAsync();
    }

    [Fact]
    public async Task AHardBounceSignedBySendGridReachesNotifiersHttpPortAndAForgedOneIsRefused()
    {
        using var http = new HttpClient();
        var url = $"{notifier.HttpAddress}/v1/webhooks/sendgrid/events";
        var mail = new AcceptedMail("msg-1", "Minji@Example.com", new Dictionary<string, string>());
        var bounce = FakeSendGrid.Event(mail, "bounce", time.GetUtcNow(), "bounce-1", ("type", "bounce"), ("reason", "550 user unknown"));

        using (var forged = await FakeSendGrid.PostRawAsync(http, url, FakeSendGrid.Body([bounce]), []))
        {
            forged.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        using (var signed = await sendGrid.PostEventsAsync(http, url, [bounce], time.GetUtcNow()))
        {
            signed.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var suppression = (await notifier.Services.GetRequiredService<NoticeStore>().ReadAsync(r => r.EmailSuppressionsAsync(), TestContext.Current.CancellationToken))
            .ShouldHaveSingleItem();
        (suppression.Address, suppression.Source, suppression.NoticeId).ShouldBe(("minji@example.com", "sendgrid bounce", null));
    }
}
