using Microsoft.Extensions.Configuration;
using Proactive.Standalone.Demo;

namespace Proactive.Standalone.Tests;

/// <summary>The demo shows the survey asked after delivery and answered, playing the customer's part itself.</summary>
public class SurveyDemoTests
{
    [Fact]
    public async Task TheDemoDeliversTheKoreanOrderAndAnswersItsSurveyBySms()
    {
        var defaults = DemoDeliveryReceipt.Defaults(new ConfigurationBuilder().Build());
        await using var host = await StandaloneHost.StartAsync(providers: false, settings: [.. DemoScenario.Settings, .. defaults]);
        await host.AcceptAsync(DemoScenario.Events(StandaloneHost.Start).Select(e => e.Event).ToArray());
        await host.DrainAsync();
        using var output = new StringWriter();

        await DemoSurvey.DeliverAsync(host.Client, host.Time.GetUtcNow(), output, TestContext.Current.CancellationToken);
        await host.DrainAsync();
        (await DemoSurvey.SentSurveyAsync(host.Client, TestContext.Current.CancellationToken)).ShouldNotBeNull();
        (await DemoSurvey.AnswerAsync(host.Client, host.Services, output, TestContext.Current.CancellationToken)).ShouldBeTrue(output.ToString());

        var text = output.ToString();
        text.ShouldContain("DELIVERED (DEMO-KR-1001) -> 202");
        text.ShouldContain("이번 배송은 어떠셨나요? 1(매우 불만)~5(매우 만족)");
        text.ShouldContain($"Body=\"{DemoSurvey.Answer}\" -> 200");
        text.ShouldContain("Survey of DEMO-KR-1001: score 4/5");
        File.ReadAllText(host.OutboxPath).ShouldContain("DEMO-KR-1001/survey/0/sms");
    }
}
