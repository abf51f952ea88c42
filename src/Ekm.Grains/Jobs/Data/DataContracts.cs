using Ekm.Jobs;

namespace Ekm.Grains.Jobs.Data;

/// <summary>A unit of protected data: one mailbox, one drive, one site, one team, ... — one operation's scope.</summary>
public sealed record SourceContainer(string Id, string Kind, string DisplayName);

/// <summary>One item in a container. <see cref="Version"/> changes when its content changes.</summary>
public sealed record SourceItem(string ContainerId, string ItemId, int Version, string Name, string ContentType, long Length);

/// <summary>An item as the backup store holds it: where it came from and the wrapped data key that encrypted it.</summary>
public sealed record StoredItem(string ContainerId, string ItemId, int Version, string Name, string ContentType, long Length, byte[] WrappedDataKey);
