using Proactive.Notifier.Incidents;

namespace Proactive.Notifier.Tests;

/// <summary>Proactive:Incidents: defaults, and each bad value refused naming its key.</summary>
public sealed class IncidentOptionsTests
{
    [Fact]
    public void TheDefaultsAreFitAndGroupByCarrierAndDestination()
    {
        var options = new IncidentOptions();

        options.Problems().ShouldBeEmpty();
        (options.Enabled, options.MinOrders, options.Window, options.ResolveThreshold, options.PollInterval).ShouldBe((true, 20, TimeSpan.FromHours(1), 10, TimeSpan.FromMinutes(1)));
        options.GroupDimensions.ShouldBe(["carrier", "destination"]);
        options.AlertChannels.ShouldBeEmpty();
    }

    [Fact]
    public void TheChannelsAreThoseConfigured()
    {
        new IncidentOptions { WebhookUrl = "https://hooks.slack.com/services/T/B/x" }.AlertChannels.ShouldBe(["webhook"]);
        new IncidentOptions { WebhookUrl = "https://chat.example/x", AlertEmail = "cx@shop.example" }.AlertChannels.ShouldBe(["webhook", "email"]);
        new IncidentOptions { GroupBy = " Lane , exception,lane" }.GroupDimensions.ShouldBe(["lane", "exception"]);
    }

    [Theory]
    [InlineData("MinOrders", "1", "Proactive:Incidents:MinOrders must be at least 2")]
    [InlineData("Window", "00:00:00", "Proactive:Incidents:Window must be positive")]
    [InlineData("ResolveBelow", "21", "Proactive:Incidents:ResolveBelow must be between 1 and MinOrders")]
    [InlineData("ResolveBelow", "0", "Proactive:Incidents:ResolveBelow must be between 1 and MinOrders")]
    [InlineData("GroupBy", "carrier,weather", "Proactive:Incidents:GroupBy 'weather' is not one of carrier, destination, lane, exception")]
    [InlineData("GroupBy", " , ", "Proactive:Incidents:GroupBy must name at least one of carrier, destination, lane, exception")]
    [InlineData("WebhookUrl", "hooks.slack.com/services/x", "Proactive:Incidents:WebhookUrl must be an absolute http(s) URL (the value is a secret and is not shown)")]
    [InlineData("WebhookUrl", "ftp://chat.example/x", "Proactive:Incidents:WebhookUrl must be an absolute http(s) URL (the value is a secret and is not shown)")]
    [InlineData("AlertEmail", "cx-team", "Proactive:Incidents:AlertEmail 'cx-team' must be an email address")]
    [InlineData("PollInterval", "-00:01:00", "Proactive:Incidents:PollInterval must be positive")]
    public void ABadValueIsRefusedNamingItsKey(string key, string value, string problem)
    {
        var options = new IncidentOptions();
        var property = typeof(IncidentOptions).GetProperty(key)!;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        property.SetValue(options, type == typeof(TimeSpan) ? TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture)
            : type == typeof(int) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : value);

        options.Problems().ShouldBe([problem]);
    }
}
