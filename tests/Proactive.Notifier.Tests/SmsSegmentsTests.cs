using Proactive.Notifier.Messages;

namespace Proactive.Notifier.Tests;

public class SmsSegmentsTests
{
    [Theory]
    [InlineData(160, 'a', 1)]
    [InlineData(161, 'a', 2)]
    [InlineData(306, 'a', 2)]
    [InlineData(307, 'a', 3)]
    [InlineData(70, '가', 1)]
    [InlineData(71, '가', 2)]
    [InlineData(134, '가', 2)]
    [InlineData(135, '가', 3)]
    public void CountsGsm7AndUcs2Segments(int length, char c, int segments)
    {
        SmsSegments.Count(new string(c, length)).ShouldBe(segments);
    }

    [Fact]
    public void ExtensionCharactersTakeTwoSeptets()
    {
        SmsSegments.Count(new string('€', 80)).ShouldBe(1);
        SmsSegments.Count(new string('€', 81)).ShouldBe(2);
    }
}
