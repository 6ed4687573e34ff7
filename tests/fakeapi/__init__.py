"""A local fake of the four metadata services (real HTTP on 127.0.0.1) for tests without internet."""
