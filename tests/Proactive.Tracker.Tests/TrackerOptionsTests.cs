using Proactive.ServiceDefaults.Configuration;
using Proactive.ServiceDefaults.Dapr;
using Proactive.ServiceDefaults.Queues;
using Proactive.Tracker.Events;
using Proactive.Tracker.Prediction;

namespace Proactive.Tracker.Tests;

/// <summary>Tracker's and the shared sections say what is wrong with them, naming each key, so the host refuses to start.</summary>
public class TrackerOptionsTests
{
    [Fact]
    public void TheDefaultsAreFitToStartWith()
    {
        new TrackerOptions().Problems().ShouldBeEmpty();
        new IngestOptions().Problems().ShouldBeEmpty();
        new PredictionSettings().Problems().ShouldBeEmpty();
        new QueueOptions().Problems().ShouldBeEmpty();
        new HealthOptions().Problems().ShouldBeEmpty();
        new DaprHostingOptions().Problems().ShouldBeEmpty();
    }

    [Fact]
    public void TrackerNamesEveryKeyAtFault() =>
        new TrackerOptions { PollInterval = TimeSpan.Zero, StallAfter = TimeSpan.FromHours(-1), LastCallAt = "9am", DefaultTimeZone = "Mars/Base" }.Problems().ShouldBe(
        [
            "Proactive:Tracker:PollInterval must be positive",
            "Proactive:Tracker:StallAfter must be positive",
            "Proactive:Tracker:LastCallAt must be a time of day HH:mm, e.g. 09:00",
            "Proactive:Tracker:DefaultTimeZone (or Proactive:Notices:DefaultTimeZone) must be an IANA time zone, e.g. Asia/Seoul",
        ]);

    [Fact]
    public void IngestNamesEveryBoundAtFault()
    {
        new IngestOptions
        {
            MaxBodyBytes = 0,
            MaxBatchEntries = -1,
            MaxClockSkew = TimeSpan.Zero,
            MaxHorizon = TimeSpan.Zero,
            EventsPerSecondPerSource = -1,
            BurstPerSource = 0,
        }.Problems().ShouldBe(
        [
            "Proactive:Ingest:MaxBodyBytes must be positive",
            "Proactive:Ingest:MaxBatchEntries must be positive",
            "Proactive:Ingest:MaxClockSkew must be positive",
            "Proactive:Ingest:MaxHorizon must be positive",
            "Proactive:Ingest:EventsPerSecondPerSource must be 0 (off) or positive",
            "Proactive:Ingest:BurstPerSource must be positive",
        ]);
        new IngestOptions { EventsPerSecondPerSource = 0 }.Problems().ShouldBeEmpty();
    }

    [Fact]
    public void PredictionNamesItsKey() =>
        new PredictionSettings { RefreshInterval = TimeSpan.Zero }.Problems().ShouldBe(["Proactive:Prediction:RefreshInterval must be positive"]);

    [Fact]
    public void QueuesAndHealthNameEveryKeyAtFault()
    {
        new QueueOptions { MaxAttempts = 0, RetryBaseDelay = TimeSpan.FromMinutes(2), RetryMaxDelay = TimeSpan.FromMinutes(1), PollInterval = TimeSpan.Zero }.Problems().ShouldBe(
        [
            "Proactive:Queues:MaxAttempts must be at least 1",
            "Proactive:Queues:RetryMaxDelay must be at least RetryBaseDelay",
            "Proactive:Queues:PollInterval must be positive",
        ]);
        new QueueOptions { RetryBaseDelay = TimeSpan.Zero }.Problems().ShouldBe(["Proactive:Queues:RetryBaseDelay must be positive"]);
        new HealthOptions { MaxQueueAge = TimeSpan.Zero }.Problems().ShouldBe(["Proactive:Health:MaxQueueAge must be positive"]);
    }

    [Fact]
    public void DaprHostingNamesEveryKeyAtFault() =>
        new DaprHostingOptions { PubSubName = "", DeadLetterSuffix = " ", BulkMaxMessages = 0, BulkMaxAwaitMilliseconds = -1 }.Problems().ShouldBe(
        [
            "Proactive:Dapr:PubSubName must not be empty",
            "Proactive:Dapr:DeadLetterSuffix must not be empty",
            "Proactive:Dapr:BulkMaxMessages must be positive",
            "Proactive:Dapr:BulkMaxAwaitMilliseconds must be positive",
        ]);

    [Fact]
    public void AFailedCheckRefusesTheOptionsWithEveryProblem()
    {
        var validation = new CheckedOptions.ProblemsValidation<QueueOptions>();

        validation.Validate(null, new QueueOptions()).Succeeded.ShouldBeTrue();
        var refused = validation.Validate(null, new QueueOptions { MaxAttempts = 0, PollInterval = TimeSpan.Zero });
        refused.Failed.ShouldBeTrue();
        refused.Failures!.ShouldBe(["Proactive:Queues:MaxAttempts must be at least 1", "Proactive:Queues:PollInterval must be positive"]);
    }
}
