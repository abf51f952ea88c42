namespace Ekm.LocalKms.Tests.ClientCompatibility;

/// <summary>
/// A fact that drives the local KMS with the AWS SDK for JavaScript v3; skipped where node or the
/// npm package in <c>tests/clients/js</c> is missing.
/// </summary>
public sealed class NodeKmsFactAttribute : FactAttribute
{
    public NodeKmsFactAttribute()
    {
        Skip = ClientTools.NodeKmsMissing;
    }
}
