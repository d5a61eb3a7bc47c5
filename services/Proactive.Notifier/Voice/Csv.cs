using System.Text;

namespace Proactive.Notifier.Voice;

/// <summary>
/// RFC 4180 CSV for spreadsheets: CRLF line ends, a field quoted when it holds a quote, comma, CR
/// or LF (quotes doubled); a text cell that a spreadsheet would run as a formula (starting with
/// = + - @, TAB or CR, or their full-width forms) gets a ' in front. Pure.
/// </summary>
public static class Csv
{
    /// <summary>Written first so that Excel reads the file as UTF-8 (without it, Korean comes out garbled).</summary>
    public const char ByteOrderMark = '\uFEFF';

    public const string LineEnd = "\r\n";

    /// <summary>A text cell: neutralised, then quoted if needed.</summary>
    public static string Text(string? value) => Quoted(Neutralised(value ?? ""));

    /// <summary>A cell we formatted ourselves (a number, a timestamp): quoted if needed, never prefixed.</summary>
    public static string Plain(string? value) => Quoted(value ?? "");

    /// <summary>One line: the cells joined by commas, then CRLF.</summary>
    public static string Row(params IEnumerable<string> cells) => string.Join(',', cells) + LineEnd;

    /// <summary>The value with a ' in front when its first character would start a formula.</summary>
    public static string Neutralised(string value) =>
        value.Length > 0 && StartsFormula(value[0]) ? "'" + value : value;

    private static bool StartsFormula(char first) =>
        first is '=' or '+' or '-' or '@' or '\t' or '\r'
            or '\uFF1D' or '\uFF0B' or '\uFF0D' or '\uFF20' // full-width = + - @, which spreadsheets may read as the ASCII ones
            or '\u2212'; // minus sign

    private static string Quoted(string value)
    {
        if (value.AsSpan().IndexOfAny("\",\r\n") < 0)
        {
            return value;
        }

        var quoted = new StringBuilder(value.Length + 8).Append('"');
        foreach (var c in value)
        {
            if (c == '"')
            {
                quoted.Append('"');
            }

            quoted.Append(c);
        }

        return quoted.Append('"').ToString();
    }
}
