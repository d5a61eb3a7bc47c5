using Proactive.ServiceDefaults;

namespace Proactive.Notifier.Tests;

public class RedactTests
{
    [Fact]
    public void MasksPhonesAndEmailsForDisplay()
    {
        Redact.Phone("+821012345678").ShouldBe("+82******5678");
        Redact.Email("minji@example.com").ShouldBe("m***@example.com");
        Redact.Phone("").ShouldBe("");
    }

    [Theory]
    [InlineData("The 'To' number +821012345678 is not valid.", "The 'To' number [number] is not valid.")]
    [InlineData("To number: +41 79 989 44 92, is not a mobile number", "To number: [number], is not a mobile number")]
    [InlineData("Does not contain a valid address: alex@example.com (personalizations.0.to.0.email)", "Does not contain a valid address: [email] (personalizations.0.to.0.email)")]
    [InlineData("Too Many Requests", "Too Many Requests")]
    public void StripsContactDetailsFromProviderMessages(string message, string expected)
    {
        Redact.Text(message).ShouldBe(expected);
    }
}
