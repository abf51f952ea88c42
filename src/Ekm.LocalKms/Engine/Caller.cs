namespace Ekm.LocalKms.Engine;

/// <summary>Who signed a request: an account, a principal in it, and the region it addressed.</summary>
public sealed record Caller(string Account, string PrincipalArn, string Region, string Partition = "aws")
{
    public static string RootOf(string account, string partition = "aws") => $"arn:{partition}:iam::{account}:root";
}
