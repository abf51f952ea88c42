using Ekm.Host.Hosting;

return await StartupFailure.RunAsync(WebApplication.CreateBuilder(args));

/// <summary>The entry point, visible to <c>WebApplicationFactory</c> in tests.</summary>
public partial class Program;
