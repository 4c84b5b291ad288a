// placeholder replaced below
export async function seedCallsDemo() {}
