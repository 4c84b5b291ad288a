export const TEMPLATE_DB = 'vigil_template';
export const TEST_PASSWORD = 'test-password-1';
