using Proactive.Contracts;
using Proactive.Tracker.Publishing;
using ContractReason = Proactive.Contracts.Tracker.V1.DelayReason;
using ContractResolution = Proactive.Contracts.Tracker.V1.Resolution;

namespace Proactive.Tracker.Tests;

/// <summary>Every reason and resolution Tracker can publish has its value in the contract, under the name the order API shows.</summary>
public class EpisodeMessageTests
{
    [Fact]
    public void EveryDelayReasonHasTheContractValueOfTheSameName()
    {
        foreach (var reason in Enum.GetValues<Rules.DelayReason>())
        {
            var contract = EpisodeMessage.Contract(reason);
            contract.ShouldNotBe(ContractReason.Unspecified, reason.ToString());
            WireName.Of(contract).ShouldBe(Names.Of(reason));
        }
    }

    [Fact]
    public void EveryResolutionHasTheContractValueOfTheSameName()
    {
        foreach (var resolution in Enum.GetValues<Episodes.Resolution>())
        {
            var contract = EpisodeMessage.Contract(resolution);
            contract.ShouldNotBe(ContractResolution.Unspecified, resolution.ToString());
            WireName.Of(contract).ShouldBe(Names.Of(resolution));
        }
    }

    [Fact]
    public void ChangesArePublishedOnTheNoticesTopicAsDelayEpisodeEvents()
    {
        var outgoing = EpisodeMessage.ToOutbox("A-1", 3, new(), null, null);

        outgoing.Topic.ShouldBe("notices");
        outgoing.Type.ShouldBe("proactive.delay.episode.v1");
        outgoing.EventId.ShouldBe("A-1/3");
        outgoing.PartitionKey.ShouldBe("A-1");
    }
}
